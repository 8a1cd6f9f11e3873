"""Accessibility checks with axe-core (from node_modules, pinned in package.json) on a real page.

How axe gets into the page: the service's Content-Security-Policy allows scripts only from 'self' and
with the page's nonce, so `page.add_script_tag(content=...)` would be refused (and the browser would log
a CSP violation). Instead axe's source is evaluated through the DevTools protocol (Playwright's
`page.evaluate` is `Runtime.evaluate`), which CSP does not govern. That leaves the page's CSP fully in
force for the application's own scripts, unlike `bypass_csp=True`, which would hide a real CSP breakage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page

REPO = Path(__file__).resolve().parents[2]
AXE_SOURCE = REPO / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what the public sector accessibility regulations require.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa")
_RUN = """(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then((result) => result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  })))"""
_SCRIPT = re.compile(r"<script\b.*?</script\s*>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    help_url: str
    targets: tuple[tuple[str, str], ...]

    def describe(self) -> str:
        lines = [f"- {self.rule} ({self.impact}): {self.help} <{self.help_url}>"]
        for target, summary in self.targets[:8]:
            lines.append(f"    at {target}: {' '.join(summary.split())}")
        if len(self.targets) > 8:
            lines.append(f"    and {len(self.targets) - 8} more elements")
        return "\n".join(lines)


@cache
def axe_source() -> str:
    if not AXE_SOURCE.exists():
        raise FileNotFoundError(f"{AXE_SOURCE} is missing: run `npm ci` (or `make setup`) first")
    return AXE_SOURCE.read_text(encoding="utf-8")


def _violations(page: Page) -> list[Violation]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    raw: list[dict[str, Any]] = page.evaluate(_RUN, list(WCAG_TAGS))
    return [
        Violation(
            rule=v["id"],
            impact=v["impact"] or "unknown",
            help=v["help"],
            help_url=v["helpUrl"],
            targets=tuple((n["target"], n["summary"] or "") for n in v["nodes"]),
        )
        for v in raw
    ]


def check_live_page(page: Page) -> list[Violation]:
    """The WCAG A/AA violations on the page as the user has it now."""
    return _violations(page)


class NoScriptChecker:
    """Checks pages that a browser with JavaScript switched off is showing.

    axe needs timers and promises, which do not run in a page whose scripts are disabled (even when
    re-enabled later through the DevTools protocol). So the checker takes the document exactly as the
    no-JavaScript browser received it, strips its scripts, and serves it at the same address to a
    page of its own with JavaScript on: same markup, same styles from the server, no enhancement."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self._context = browser.new_context(base_url=base_url)
        self._page = self._context.new_page()

    def check(self, page: Page) -> list[Violation]:
        html = _SCRIPT.sub("", page.content())
        url = page.url.split("#", 1)[0]

        def same_address(candidate: str) -> bool:
            return candidate.split("#", 1)[0] == url

        self._page.route(
            same_address, lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
        )
        try:
            self._page.goto(url)
            return _violations(self._page)
        finally:
            self._page.unroute(same_address)

    def close(self) -> None:
        self._context.close()


def report(url: str, violations: list[Violation]) -> str:
    """A readable list of the problems axe found on one page."""
    tags = ", ".join(WCAG_TAGS)
    return "\n".join(
        [
            f"axe found {len(violations)} accessibility problem(s) on {url} ({tags}):",
            *(v.describe() for v in violations),
        ]
    )
