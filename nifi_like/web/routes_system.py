"""/system-diagnostics: the machine and the repositories, as NiFi's shape reports them for a JVM."""

from __future__ import annotations

import os
import shutil
import threading
import time
from typing import Any

import psutil
from aiohttp import web

from nifi_like.api.units import format_data_size
from nifi_like.web.common import json_response
from nifi_like.web.dto import engine_version
from nifi_like.web.keys import CONTROLLER
from nifi_like.web.openapi import describe
from nifi_like.web.routes_flow import NIFI_API_VERSION

routes = web.RouteTableDef()
STARTED = time.time()


def storage(identifier: str, path: str) -> dict[str, Any]:
    usage = shutil.disk_usage(path)
    return {"identifier": identifier, "freeSpace": format_data_size(usage.free), "freeSpaceBytes": usage.free,
            "totalSpace": format_data_size(usage.total), "totalSpaceBytes": usage.total,
            "usedSpace": format_data_size(usage.used), "usedSpaceBytes": usage.used,
            "utilization": f"{usage.used * 100 // max(usage.total, 1)}%"}


@routes.get("/nifi-api/system-diagnostics")
@describe("Processors, load, memory (the heap fields report this process), disk use of the repositories")
async def system_diagnostics(request: web.Request) -> web.StreamResponse:
    controller = request.app[CONTROLLER]
    data_dir = controller.settings.data_dir
    memory = psutil.virtual_memory()
    rss = psutil.Process().memory_info().rss
    uptime = int(time.time() - STARTED)
    snapshot = {
        "availableProcessors": os.cpu_count() or 1, "processorLoadAverage": os.getloadavg()[0],
        "totalThreads": threading.active_count(), "daemonThreads": sum(t.daemon for t in threading.enumerate()),
        "usedHeap": format_data_size(rss), "usedHeapBytes": rss, "totalHeap": format_data_size(memory.total),
        "totalHeapBytes": memory.total, "maxHeap": format_data_size(memory.total), "maxHeapBytes": memory.total,
        "freeHeap": format_data_size(memory.available), "freeHeapBytes": memory.available,
        "heapUtilization": f"{rss * 100 // max(memory.total, 1)}%",
        "flowFileRepositoryStorageUsage": storage("repository", os.path.join(data_dir, "repository")),
        "contentRepositoryStorageUsage": [storage("content", os.path.join(data_dir, "content"))],
        "provenanceRepositoryStorageUsage": [storage("repository", os.path.join(data_dir, "repository"))],
        "garbageCollection": [], "resourceClaimDetails": [],
        "uptime": time.strftime("%H:%M:%S", time.gmtime(uptime)) if uptime < 86400 else f"{uptime // 86400} days",
        "statsLastRefreshed": time.strftime("%H:%M:%S UTC", time.gmtime()),
        "versionInfo": {"niFiVersion": NIFI_API_VERSION, "buildTag": f"nifi-like-{engine_version()}",
                        "osName": os.uname().sysname, "osVersion": os.uname().release,
                        "osArchitecture": os.uname().machine},
    }
    return json_response({"systemDiagnostics": {"aggregateSnapshot": snapshot}})
