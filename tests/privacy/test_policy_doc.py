"""The masking table in docs/privacy.md is the policy in the code, row for row."""

from __future__ import annotations

from pathlib import Path

from privacy import Role, policy_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def test_the_privacy_doc_lists_the_policy_as_the_code_has_it() -> None:
    rows = policy_table()
    cells = {
        (r["role"], r["field"]): r["rule"] + (" (open job)" if r["condition"] else "") for r in rows
    }
    fields = list(dict.fromkeys(r["field"] for r in rows))
    text = DOC.read_text(encoding="utf-8")
    assert "| field | " + " | ".join(r.value for r in Role) + " |" in text
    for field in fields:
        line = f"| `{field}` | " + " | ".join(cells[(role.value, field)] for role in Role) + " |"
        assert line in text, f"docs/privacy.md: policy row for {field} is out of date"
