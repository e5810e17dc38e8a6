"""axe-core in the browser tests: every public and staff page they open is checked.

The vendored axe-core (vendor/axe-core, test-only, see its VERSION) is evaluated in the page
through the DevTools protocol rather than added as a <script> tag: the staff pages'
Content-Security-Policy would block an inline script, and bypassing the policy for the whole
browser context would blind the tests that check it.

`axe_check(page)` fails with one readable line per violation and element. The autouse fixture
in groundswell/conftest.py (`axe_on_every_page`) gives each browser test an `AxeWatch`: it runs
axe after each `goto`, `reload` and `wait_for_url` and on the page the test ends on, and fails
the test at its end with every page's violations, so one run shows all there is to fix.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

# WCAG 2.x A and AA plus axe's best practices: the "zero violations" promise of the issue
# (links told apart from text, headers with names, scrollable regions reachable by keyboard).
RUN_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}

# Runs in the page; returns plain data (rule, impact, help, one entry per offending element).
# axe leaves an aria-describedby that points at no element as "needs review" (a partly valid
# list passes), so the run adds its own rule for it: a screen reader reads nothing for it,
# which is how the staff forms' help texts went unheard.
_RUN = """
async ([context, options]) => {
  const result = await window.axe.run(context || document, options);
  const violations = result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({
      target: n.target.map((t) => (Array.isArray(t) ? t.join(" >> ") : t)).join(" >> "),
      summary: (n.failureSummary || "").replace(/\\s+/g, " ").trim(),
      html: n.html.slice(0, 160),
    })),
  }));
  const missing = [];
  const root = context ? document.querySelector(context) : document;
  for (const attr of ["aria-describedby", "aria-labelledby", "aria-errormessage"]) {
    for (const el of root.querySelectorAll(`[${attr}]`)) {
      const absent = el.getAttribute(attr).split(/\\s+/).filter(
        (id) => id && !document.getElementById(id));
      if (absent.length) {
        const name = el.getAttribute("name");
        missing.push({
          target: el.id ? `#${el.id}` : el.tagName.toLowerCase() + (name ? `[name="${name}"]` : ""),
          summary: `${attr} names ${absent.join(", ")}, which no element on the page carries`,
          html: el.outerHTML.slice(0, 160),
        });
      }
    }
  }
  if (missing.length) {
    violations.push({
      id: "aria-reference-missing",
      impact: "serious",
      help: "ARIA references must point at elements that exist",
      nodes: missing,
    });
  }
  return violations;
}
"""


# A page in the middle of an htmx swap or a fade shows colours it does not keep (a result
# list dimmed while the next one loads fails colour contrast): axe waits until it settles.
# Endless animations (a spinner) do not count.
_SETTLED = """
() => !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling")
  && document.getAnimations().every((a) => a.playState !== "running"
    || a.effect.getComputedTiming().iterations === Infinity)
"""


@cache
def _axe_source() -> str:
    # An expression, not a function: Playwright evaluates it as the script it is.
    return AXE_JS.read_text(encoding="utf-8") + "\n;undefined"


def _axe_load(page) -> None:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())


def axe_violations(page, *, include: str | None = None) -> list[dict]:
    """The axe violations on the page as it is now (or inside the `include` selector)."""
    _axe_load(page)
    page.wait_for_function(_SETTLED, timeout=10_000)
    return page.evaluate(_RUN, [include, RUN_OPTIONS])


def axe_report(violations: list[dict]) -> str:
    """One line per rule and element: what is wrong, where, and the element's start."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    at {node['target']}: {node['html']}")
            if node["summary"]:
                lines.append(f"       {node['summary']}")
    return "\n".join(lines)


def axe_check(page, *, include: str | None = None, where: str = "") -> None:
    """Fails the test when axe finds any violation on the page."""
    violations = axe_violations(page, include=include)
    if violations:
        place = where or page.url
        raise AssertionError(
            f"axe-core found {len(violations)} accessibility rule(s) broken on {place} "
            f"(viewport {page.viewport_size}):\n{axe_report(violations)}"
        )


class AxeWatch:
    """The violations found on the pages one test opened, reported together at its end."""

    def __init__(self) -> None:
        self.pages_checked = 0
        self.findings: list[str] = []
        self._seen: set[tuple[str, str, str]] = set()

    def check(self, page, *, where: str) -> None:
        self.pages_checked += 1
        new = []
        for violation in axe_violations(page):
            # The same element failing the same rule on the same address is reported once.
            nodes = [
                node
                for node in violation["nodes"]
                if (page.url, violation["id"], node["target"]) not in self._seen
            ]
            self._seen.update((page.url, violation["id"], node["target"]) for node in nodes)
            if nodes:
                new.append({**violation, "nodes": nodes})
        if new:
            self.findings.append(f"{where}, viewport {page.viewport_size}:\n{axe_report(new)}")

    def assert_clean(self) -> None:
        if self.findings:
            raise AssertionError(
                f"axe-core found accessibility violations on {len(self.findings)} of the "
                f"{self.pages_checked} page states checked:\n\n" + "\n\n".join(self.findings)
            )
