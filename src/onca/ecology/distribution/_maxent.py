"""Presence-only distribution models: MaxEnt (Phillips et al. 2006) through ``elapid``
(Anderson 2023), with background sampling and spatially blocked cross-validation.

Presences are the occurrence records' pixels (one record per pixel kept); background points
are pixels drawn at random from those where every layer has data. Cross-validation splits the
map into square blocks (``block_km`` a side), deals the blocks out to ``folds`` folds at random,
and for each fold fits on the others and scores the area under the ROC curve (presences
against background) on the held-out blocks, so that the score is not inflated by spatial
autocorrelation (Roberts et al. 2017). The final model is fitted on everything and predicts a
relative suitability (cloglog, 0 to 1) for every pixel.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from onca.ecology.distribution._rasters import RasterStack
from onca.errors import OncaWarning, ParameterError

F64 = npt.NDArray[np.float64]


@dataclass
class DistributionFit:
    """A fitted MaxEnt model: ``suitability`` (rows, cols; NaN where no data), fold AUCs, the
    counts used and the elapid model itself."""

    suitability: F64
    auc_folds: list[float]
    presences: int
    background: int
    dropped: dict[str, int]
    layers: tuple[str, ...]
    model: Any = field(repr=False)

    @property
    def auc_mean(self) -> float:
        return float(np.mean(self.auc_folds)) if self.auc_folds else float("nan")

    def summary(self) -> dict[str, Any]:
        return {
            "presences": self.presences,
            "background": self.background,
            "dropped": self.dropped,
            "layers": list(self.layers),
            "cv_auc": self.auc_folds,
            "cv_auc_mean": self.auc_mean,
            "suitability_mean": float(np.nanmean(self.suitability)),
        }


def _maxent(seed: int) -> Any:
    import elapid

    return elapid.MaxentModel(
        feature_types=["linear", "quadratic", "hinge"], n_cpus=1, random_state=seed
    )


def fit_maxent(
    stack: RasterStack,
    x: F64,
    y: F64,
    *,
    background: int = 10_000,
    folds: int = 4,
    block_km: float | None = None,
    seed: int = 0,
) -> DistributionFit:
    """MaxEnt on presences at map coordinates (``x``, ``y`` in the stack's CRS)."""
    from sklearn.metrics import roc_auc_score

    if folds < 2:
        raise ParameterError(f"folds: expected at least 2, got {folds}")
    if background < 100:
        raise ParameterError(f"background: expected at least 100 points, got {background}")
    rng = np.random.default_rng(seed)
    row, col = stack.cell_of(x, y)
    inside = row >= 0
    valid = stack.valid
    usable = inside.copy()
    usable[inside] = valid[row[inside], col[inside]]
    cells = np.unique(np.column_stack([row[usable], col[usable]]), axis=0)
    dropped = {
        "outside the layers": int((~inside).sum()),
        "on pixels without data": int((inside & ~usable).sum()),
        "duplicates in one pixel": int(usable.sum() - len(cells)),
    }
    if dropped["outside the layers"]:
        warnings.warn(
            f"{dropped['outside the layers']} occurrence record(s) fall outside the layers and are left out",
            OncaWarning,
            stacklevel=2,
        )
    if len(cells) < 10:
        raise ParameterError(
            f"only {len(cells)} presence pixel(s) inside the layers: too few for a distribution model"
        )
    pool = np.argwhere(valid)
    chosen = pool[rng.choice(len(pool), size=min(background, len(pool)), replace=False)]
    X = np.vstack(
        [stack.values(cells[:, 0], cells[:, 1]), stack.values(chosen[:, 0], chosen[:, 1])]
    )
    labels = np.r_[np.ones(len(cells)), np.zeros(len(chosen))]
    pixels = np.vstack([cells, chosen])
    rows, cols = stack.shape
    size = abs(stack.transform.a)
    block_px = max(1, round((block_km * 1000) / size)) if block_km else max(1, max(rows, cols) // 5)
    block = (pixels[:, 0] // block_px) * (cols // block_px + 1) + pixels[:, 1] // block_px
    blocks = np.unique(block)
    fold_of_block = dict(
        zip(blocks.tolist(), rng.permutation(np.arange(len(blocks)) % folds).tolist(), strict=True)
    )
    fold = np.array([fold_of_block[b] for b in block.tolist()])
    aucs = []
    for k in range(folds):
        test = fold == k
        if labels[test].min() == labels[test].max() or labels[~test].sum() < 5:
            continue  # a fold without presences (or background) cannot be scored
        m = _maxent(seed).fit(X[~test], labels[~test])
        aucs.append(float(roc_auc_score(labels[test], m.predict(X[test]))))
    model = _maxent(seed).fit(X, labels)
    suitability = np.full((rows, cols), np.nan)
    suitability[valid] = model.predict(np.column_stack([v[valid] for v in stack.layers.values()]))
    return DistributionFit(
        suitability, aucs, len(cells), len(chosen), dropped, tuple(stack.layers), model
    )


def suitability_png(
    fit: DistributionFit,
    stack: RasterStack,
    presences: tuple[F64, F64] | None = None,
    title: str = "",
) -> bytes:
    """The suitability map, with the presences as dots."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from onca.report._figures import _png

    rows, cols = stack.shape
    left, top = stack.transform @ (0, 0)
    right, bottom = stack.transform @ (cols, rows)
    fig, ax = plt.subplots(figsize=(6.5, 5.2))
    im = ax.imshow(
        fit.suitability, extent=(left, right, bottom, top), cmap="viridis", vmin=0, vmax=1
    )
    if presences is not None:
        ax.scatter(
            presences[0], presences[1], s=6, color="white", edgecolors="black", linewidths=0.3
        )
    fig.colorbar(im, ax=ax, label="relative suitability (cloglog)")
    ax.set_xlabel(f"x ({stack.crs})")
    ax.set_ylabel("y")
    ax.set_title(title or f"MaxEnt suitability; spatial CV AUC {fit.auc_mean:.3f}", fontsize=10)
    return _png(fig)
