"""Component revisions, kept in memory as NiFi keeps them: optimistic locking for every change."""

from __future__ import annotations

from dataclasses import dataclass

from nifi_like.web.errors import BadRequest


@dataclass(frozen=True)
class Revision:
    version: int = 0
    client_id: str | None = None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"version": self.version}
        if self.client_id:
            out["clientId"] = self.client_id
        return out


class RevisionStore:
    """Every component starts at version 0 (when created or loaded); each change adds one."""

    def __init__(self) -> None:
        self._revisions: dict[str, Revision] = {}

    def get(self, component_id: str) -> Revision:
        return self._revisions.get(component_id, Revision())

    def check(self, component_id: str, claimed: Revision) -> None:
        """NiFi's rule: the same version, or the same non-blank client id as the last writer."""
        current = self.get(component_id)
        if claimed.version == current.version:
            return
        if claimed.client_id and claimed.client_id.strip() and claimed.client_id == current.client_id:
            return
        raise BadRequest(f"[{claimed.version}, {claimed.client_id}, {component_id}] is not the most up-to-date "
                         f"revision. This component appears to have been modified (current version is "
                         f"{current.version}).")

    def bump(self, component_id: str, client_id: str | None) -> Revision:
        revision = Revision(self.get(component_id).version + 1, client_id or None)
        self._revisions[component_id] = revision
        return revision

    def created(self, component_id: str, client_id: str | None) -> Revision:
        revision = Revision(0, client_id or None)
        self._revisions[component_id] = revision
        return revision

    def changed_elsewhere(self, component_ids: set[str]) -> None:
        """Components changed through another node of the cluster: their revisions move on too."""
        for component_id in component_ids:
            self.bump(component_id, None)

    def forget(self, component_id: str) -> None:
        self._revisions.pop(component_id, None)
