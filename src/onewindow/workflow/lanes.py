"""Lane names → roles (and, for joint review, departments).

A lane is named after the role that works in it, by its Chinese label or its code:
``承办人`` / ``HANDLER``. In joint review (联合审查) several departments work in parallel;
such a lane names the department in brackets: ``承办人（市自然资源和规划局）``. A lane
without a department belongs to the organisation that handles the case (the
implementing department, or for the window the service centre); the caller resolves
both when it mirrors tasks into worklists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from onewindow.identity.models import Role

# Roles that work through a worklist. Others (supervisors, admins) never own a task.
TASK_ROLES = (Role.WINDOW_CLERK, Role.HANDLER, Role.CHIEF_REPRESENTATIVE)

# The department may itself contain brackets: 承办人（市场监督管理局（知识产权局））.
_LANE = re.compile(r"^\s*(?P<role>[^（(）)]+?)\s*(?:[（(]\s*(?P<department>.+?)\s*[）)])?\s*$")


@dataclass(frozen=True)
class LaneRole:
    """What a lane name means: a role, and optionally the department of a joint review."""

    name: str
    role: str
    department: str = ""

    def as_dict(self) -> dict:
        return {"role": self.role, "department": self.department}


def role_of(text: str) -> str | None:
    text = text.strip()
    for role in TASK_ROLES:
        if text == role.label or text.upper() == role.value:
            return role.value
    return None


def parse_lane_name(name: str | None) -> LaneRole | None:
    """The role (and department) a lane name stands for, or None if it is not one."""
    if not name:
        return None
    match = _LANE.match(name)
    if not match:
        return None
    role = role_of(match.group("role"))
    if role is None:
        return None
    return LaneRole(name=name, role=role, department=match.group("department") or "")


def lane_name(role: str, department: str = "") -> str:
    label = str(Role(role).label)
    return f"{label}（{department}）" if department else label


def known_lane_names() -> str:
    return "、".join(str(role.label) for role in TASK_ROLES)
