"""What a run or a service job did, in lines that match what happened (pure: no I/O).

`once` and every job of `run` speak through these. A line that begins with "warning: " is
logged as a warning (bot.cli.log): a skipped file, articles held back this very run.
"""

from __future__ import annotations

from bot.config import Config
from bot.run.worker import RunReport


def report_lines(report: RunReport, config: Config, *, folder: bool = True,
                 publish: bool = True) -> list[str]:
    """The lines of one run: `folder` when the folder was looked at, `publish` when a
    digest was asked for (a job between scheduled digest times asks for none)."""
    lines = [f"warning: skipped {name}: {reason}" for name, reason in report.skipped]
    if report.new_documents:
        lines.append(f"read {report.new_documents} new document(s): "
                     f"{report.entries} new article(s)")
    if report.digest_id is not None:
        lines.append(f"digest #{report.digest_id} published to {config.paths.out}: "
                     f"{_contents(report)}")
        lines += [f"wrote {path}" for path in report.outputs]
    elif not publish and report.entries:
        lines.append(f"{report.entries} new article(s) wait for the next digest time")
    elif publish or folder or report.new_documents:
        lines.append(_no_digest(report, config, folder, publish))
    if report.elsewhere:
        lines.append(f"{report.elsewhere} file(s) hold a text another worker is reading: "
                     "looked at again shortly")
    if report.unsettled:
        lines.append(f"{report.unsettled} file(s) still being written or not yet read: "
                     "looked at again shortly")
    return lines


def _no_digest(report: RunReport, config: Config, folder: bool, publish: bool) -> str:
    """Why no digest came out of a run, in words that match what happened."""
    tail = "; no digest published" if publish else ""
    if report.held and publish:
        # New articles and no digest: they were held this very run, which needs a look.
        mark = "warning: " if report.entries else ""
        return (f"{mark}no digest published: {report.held} article(s) held back by "
                "glossary.strict (listed by 'kakehashi status'; 'kakehashi release' lets "
                "them in)")
    if report.new_documents:
        return f"no new articles in the new document(s){tail}"
    if not folder:
        return "nothing pending; no digest published"
    feeds = len(config.sources.feeds)
    where = f"folder '{config.paths.seeds}'" + (f" or {feeds} feed(s)" if feeds else "")
    return f"nothing new in {where}{tail}"


def _contents(report: RunReport) -> str:
    """What a digest holds: articles new this run and articles that were waiting already."""
    waiting = min(report.waiting, report.published)
    new = report.published - waiting
    earlier = f"{waiting} article(s) that were waiting (released, or left by an interrupted run)"
    if not waiting:
        return f"{new} new article(s)"
    return earlier if not new else f"{new} new article(s) and {earlier}"
