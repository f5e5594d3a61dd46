"""The evidence operations the CLI and reports call: anchoring the head at the
coordinator's TSA, verifying a plan's log with its anchors, and per-parent receipts."""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError
from ..plan.model import Plan
from .anchors import Anchor, anchors_path, append_anchor, request_anchor
from .planview import db_path_for
from .receipts import receipt_json
from .store import ExchangeStore
from .verification import Verification, verify_log


def tsa_settings(
    plan: Plan, plan_path: Path | None, url: str | None = None, ca: Path | None = None
) -> tuple[str | None, Path | None]:
    """The TSA URL and CA file: options first, then the plan's ``[evidence]`` (a relative
    ``tsa_ca`` is relative to the plan file)."""
    url = url or plan.evidence.tsa_url
    if ca is None and plan.evidence.tsa_ca:
        ca = Path(plan.evidence.tsa_ca)
        if not ca.is_absolute() and plan_path is not None:
            ca = plan_path.parent / ca
    if ca is not None and not ca.is_file():
        raise UserError(f"tsa_ca: {ca} is not a file (the TSA's CA certificate, PEM)")
    return url, ca


def anchor_head(plan: Plan, db: Path | None, url: str | None, ca: Path | None) -> Anchor:
    """Time-stamp the current head at the TSA and add it to the anchors file.

    Refuses an empty log (nothing to anchor) and a broken chain (an anchor would
    certify the damage). The anchor is stored only once its reply verifies."""
    if url is None:
        raise UserError(
            "no time-stamping authority configured",
            hint="set [evidence] tsa_url (and tsa_ca) in the plan, or pass --tsa and --tsa-ca",
        )
    if ca is None:
        raise UserError(
            "no TSA certificate to check the reply against",
            hint="set [evidence] tsa_ca in the plan, or pass --tsa-ca",
        )
    path = db_path_for(plan, db)
    checked = verify_log(path, plan.family.id, ca_file=ca)
    result = checked.chain
    if checked.ok and (not path.exists() or result.count == 0):
        raise UserError(f"{path}: the exchange log holds no records yet: nothing to anchor")
    if not checked.ok:
        raise UserError(
            f"{path}: the log fails verification ({checked.problems[0]}); not anchoring it, "
            f"which would vouch for the damage",
            hint="run 'exchange verify' and restore the log first",
        )
    anchor = request_anchor(plan.family.id, result.count, result.head_hash, url, ca)
    append_anchor(anchors_path(path), anchor)
    return anchor


def verify_plan_log(
    plan: Plan,
    plan_path: Path | None,
    db: Path | None,
    *,
    receipts: list[Path] | None = None,
    anchor_files: list[Path] | None = None,
    ca: Path | None = None,
    every_token: bool = True,
) -> Verification:
    """Verify the plan's log against itself, its anchors and any receipts given
    (reports pass ``every_token=False``: see :func:`verify_log`)."""
    _url, ca_file = tsa_settings(plan, plan_path, None, ca)
    return verify_log(
        db_path_for(plan, db),
        plan.family.id,
        receipts=receipts,
        anchor_files=anchor_files,
        ca_file=ca_file,
        every_token=every_token,
    )


def parent_receipts(plan: Plan, db: Path | None, parent: str) -> list[dict[str, object]]:
    """A receipt for every record of the exchanges ``parent`` takes part in."""
    if parent not in plan.parent_ids:
        raise UserError(
            f"--parent: {parent!r} is not a parent of this plan; expected one of "
            f"{', '.join(plan.parent_ids)}"
        )
    with ExchangeStore.open(db_path_for(plan, db), plan.family.id, create=False) as store:
        return [
            receipt_json(r, parent)
            for r in store.iter_records()
            if parent in (r.from_parent, r.to_parent)
        ]
