"""What the browser tests (tests/browser) share: waiting for the page, reading it, running axe-core."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from dashboard.core.settings import PROJECT_ROOT

ALL_PATHS = ".choroplethlayer path.choroplethlocation"
GRID_ROWS = "#table .ag-center-cols-container .ag-row"  # the table's rows, in the order shown
# axe-core, from npm: `make test` installs the version the Makefile pins into this git-ignored folder.
AXE = PROJECT_ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"


def wait_ready(page: Page) -> None:
    """The page has had its first answer (a link's own view is shown), the map is drawn, nothing is loading."""
    expect(page.locator("#headline")).not_to_be_empty(timeout=15_000)
    expect(page.locator(ALL_PATHS).first).to_be_attached(timeout=15_000)
    page.wait_for_function("() => !document.documentElement.classList.contains('linked-view-pending')", timeout=15_000)
    page.wait_for_load_state("networkidle")


def wait_chart(page: Page, chart: str) -> None:
    """The chart `chart` (web/charts.py) is shown and drawn: its graph, or the table's rows."""
    expect(page.locator(f"#panel-{chart}")).to_be_visible(timeout=10_000)
    drawn = GRID_ROWS if chart == "table" else f"#panel-{chart} .js-plotly-plot"
    expect(page.locator(drawn).first).to_be_attached(timeout=15_000)
    page.wait_for_load_state("networkidle")


def grid_cells(page: Page, columns: list[str]) -> list[list[str]]:
    """The table's rows as shown, each as the text of the cells of `columns` (ids of TABLE_COLUMNS)."""
    return page.locator(GRID_ROWS).evaluate_all(
        "(rows, columns) => rows.map(row => columns.map(c => row.querySelector(`[col-id='${c}']`).textContent.trim()))",
        columns,
    )


def axe_violations(page: Page) -> list[dict]:
    """axe-core's violations on the page as it is now: every rule axe runs by default (WCAG 2.0,
    2.1 and 2.2 A and AA, and best practices), every impact, as (rule, impact, nodes)."""
    if not AXE.is_file():
        raise AssertionError(f"{AXE} not found: run `make test`, which installs axe-core from npm")
    # Evaluated through the browser's debugging protocol, which the page's Content-Security-Policy
    # does not govern: a <script> tag added to the page is refused by it, as it should be.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({
            rule: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)}))"""
    )


def focused(page: Page) -> str:
    """What has the keyboard's focus, as a person would name it: its tag, id, and label or text."""
    return page.evaluate(
        """() => { const e = document.activeElement;
            if (!e || e === document.body) return 'BODY';
            const label = e.labels && e.labels.length ? e.labels[0].innerText : (e.getAttribute('aria-label') || e.getAttribute('data-title') || e.innerText || '');
            const role = e.getAttribute('role') ? `[${e.getAttribute('role')}]` : '';
            return `${e.tagName.toLowerCase()}${role}#${e.id} ${label.trim().split('\\n')[0].slice(0, 40)}`; }"""
    )


def visit_focused(page: Page, step: int) -> tuple[str, int | None]:
    """`focused`, and the step at which the same element had the focus before (None if never):
    each element is marked with the step it was first reached at (its name may not be unique)."""
    earlier = page.evaluate(
        """step => { const e = document.activeElement;
            if (!e || e === document.body) return null;
            if (e.dataset.tabVisit !== undefined) return Number(e.dataset.tabVisit);
            e.dataset.tabVisit = String(step); return null; }""",
        step,
    )
    return focused(page), earlier
