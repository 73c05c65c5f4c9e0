"""Flow errors: every problem of a flow, listed in one message."""


class FlowError(ValueError):
    def __init__(self, problems: list[str], source: str = "flow") -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source} was refused ({len(problems)} problem{'s' if len(problems) != 1 else ''}):\n{lines}")


class FlowConflict(Exception):
    """A flow change based on an older revision of a cluster's flow: another node changed it first
    (answered 409 over REST)."""
