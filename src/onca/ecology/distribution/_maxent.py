"""Presence-only distribution models: MaxEnt (Phillips et al. 2006) through ``elapid``
(Anderson 2023), with background sampling and spatially blocked cross-validation.

Presences are the occurrence records' pixels (one record per pixel kept); background points
are pixels drawn at random from those where every layer has data. Cross-validation splits the
map into square blocks (``block_km`` a side), deals the blocks out to ``folds`` folds at random,
and for each fold fits on the others and scores the area under the ROC curve (presences
against background) on the held-out blocks, so that the score is not inflated by spatial
autocorrelation (Roberts et al. 2017). The final model is fitted on everything and predicts a
relative suitability (cloglog, 0 to 1) for every pixel.

>>> model = MaxEnt(background=10_000, folds=4).fit(stack, x, y)  # doctest: +SKIP
>>> model.cv_auc_mean_, model.suitability_.shape                  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from onca.ecology._params import Constraint, Estimator, Interval
from onca.ecology.distribution._rasters import RasterStack
from onca.errors import OncaWarning, ParameterError

F64 = npt.NDArray[np.float64]


def _maxent(seed: int) -> Any:
    import elapid

    return elapid.MaxentModel(
        feature_types=["linear", "quadratic", "hinge"], n_cpus=1, random_state=seed
    )


class MaxEnt(Estimator):
    """MaxEnt on presence-only records, scikit-learn style (the module docstring says how).

    ``background``: background points drawn from pixels where every layer has data. ``folds``:
    spatially blocked cross-validation folds. ``block_km``: block side in km (default a fifth
    of the map). ``seed``: background sampling, folds and elapid.

    After ``fit``: ``suitability_`` (rows, cols; NaN where a layer has no data), ``cv_auc_``
    (AUC per scored fold), ``cv_auc_mean_``, ``n_presences_`` (presence pixels),
    ``n_background_``, ``dropped_`` (records left out, by reason), ``layers_``, ``model_`` (the
    elapid model fitted on everything), ``warnings_`` and ``fit_seconds_``."""

    _parameter_constraints: ClassVar[dict[str, list[Constraint | None]]] = {
        "background": [Interval(int, 100, None)],
        "folds": [Interval(int, 2, None)],
        "block_km": [None, Interval(float, 0, None, closed="neither")],
        "seed": [Interval(int, 0, None)],
    }

    def __init__(
        self,
        *,
        background: int = 10_000,
        folds: int = 4,
        block_km: float | None = None,
        seed: int = 0,
    ) -> None:
        self.background = background
        self.folds = folds
        self.block_km = block_km
        self.seed = seed

    def fit(self, stack: RasterStack, x: F64, y: F64) -> MaxEnt:
        """Fit on presences at map coordinates ``x``, ``y`` (the stack's CRS)."""
        with self._fitting():
            self._fit(stack, x, y)
        return self

    def _fit(self, stack: RasterStack, x: F64, y: F64) -> None:
        from sklearn.metrics import roc_auc_score

        rng = np.random.default_rng(self.seed)
        cells, dropped = _presence_cells(stack, x, y)
        valid = stack.valid
        pool = np.argwhere(valid)
        chosen = pool[rng.choice(len(pool), size=min(self.background, len(pool)), replace=False)]
        X = np.vstack(
            [stack.values(cells[:, 0], cells[:, 1]), stack.values(chosen[:, 0], chosen[:, 1])]
        )
        labels = np.r_[np.ones(len(cells)), np.zeros(len(chosen))]
        fold = self._spatial_folds(stack, np.vstack([cells, chosen]), rng)
        aucs = []
        for k in range(self.folds):
            test = fold == k
            if labels[test].min() == labels[test].max() or labels[~test].sum() < 5:
                continue  # a fold without presences (or background) cannot be scored
            m = _maxent(self.seed).fit(X[~test], labels[~test])
            aucs.append(float(roc_auc_score(labels[test], m.predict(X[test]))))
        self.model_ = _maxent(self.seed).fit(X, labels)
        self.layers_ = tuple(stack.layers)
        self.cv_auc_ = aucs
        self.cv_auc_mean_ = float(np.mean(aucs)) if aucs else float("nan")
        self.n_presences_ = len(cells)
        self.n_background_ = len(chosen)
        self.dropped_ = dropped
        self.suitability_ = self.predict(stack)

    def _spatial_folds(
        self, stack: RasterStack, pixels: npt.NDArray[np.int64], rng: np.random.Generator
    ) -> npt.NDArray[np.int64]:
        """The fold of each pixel: square blocks dealt out to the folds at random."""
        rows, cols = stack.shape
        size = abs(stack.transform.a)
        block_px = (
            max(1, round((self.block_km * 1000) / size))
            if self.block_km
            else max(1, max(rows, cols) // 5)
        )
        block = (pixels[:, 0] // block_px) * (cols // block_px + 1) + pixels[:, 1] // block_px
        blocks = np.unique(block)
        shuffled = rng.permutation(np.arange(len(blocks)) % self.folds).tolist()
        fold_of_block = dict(zip(blocks.tolist(), shuffled, strict=True))
        return np.array([fold_of_block[b] for b in block.tolist()])

    def predict(self, X: RasterStack | npt.ArrayLike) -> F64:
        """Relative suitability (cloglog, 0 to 1): a (rows, cols) map for a stack with the
        fitted layers (NaN where a layer has no data), or (n,) for an (n, layers) array."""
        if isinstance(X, RasterStack):
            if tuple(X.layers) != self.layers_:
                raise ParameterError(
                    f"layers: expected {', '.join(self.layers_)} (as fitted), got"
                    f" {', '.join(X.layers)}"
                )
            valid = X.valid
            out = np.full(X.shape, np.nan)
            out[valid] = self.model_.predict(np.column_stack([v[valid] for v in X.layers.values()]))
            return out
        values = np.asarray(X, dtype=np.float64)
        if values.ndim != 2 or values.shape[1] != len(self.layers_):
            raise ParameterError(
                f"X: expected (points, {len(self.layers_)} layers), got {values.shape}"
            )
        return np.asarray(self.model_.predict(values), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        """What the CLI prints with --json."""
        return {
            "presences": self.n_presences_,
            "background": self.n_background_,
            "dropped": self.dropped_,
            "layers": list(self.layers_),
            "cv_auc": self.cv_auc_,
            "cv_auc_mean": self.cv_auc_mean_,
            "suitability_mean": float(np.nanmean(self.suitability_)),
            "seconds": round(self.fit_seconds_, 3),
        }


def _presence_cells(
    stack: RasterStack, x: F64, y: F64
) -> tuple[npt.NDArray[np.int64], dict[str, int]]:
    """The presence pixels (row, col), one per pixel with data, and the records left out."""
    row, col = stack.cell_of(x, y)
    inside = row >= 0
    usable = inside.copy()
    usable[inside] = stack.valid[row[inside], col[inside]]
    cells = np.unique(np.column_stack([row[usable], col[usable]]), axis=0)
    dropped = {
        "outside the layers": int((~inside).sum()),
        "on pixels without data": int((inside & ~usable).sum()),
        "duplicates in one pixel": int(usable.sum() - len(cells)),
    }
    if dropped["outside the layers"]:
        warnings.warn(
            f"{dropped['outside the layers']} occurrence record(s) fall outside the layers and"
            " are left out",
            OncaWarning,
            stacklevel=4,
        )
    if len(cells) < 10:
        raise ParameterError(
            f"only {len(cells)} presence pixel(s) inside the layers: too few for a distribution"
            " model"
        )
    return cells, dropped


def _in_metres(crs: str) -> bool:
    """Whether ``crs`` is projected in metres (UTM and most national grids) rather than in
    degrees or feet."""
    from pyproj import CRS

    return bool(CRS(crs).axis_info) and CRS(crs).axis_info[0].unit_name == "metre"


def suitability_png(
    fit: MaxEnt,
    stack: RasterStack,
    presences: tuple[F64, F64] | None = None,
    title: str = "",
) -> bytes:
    """The suitability map, with the presences as dots."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from onca.report._figures import _png, map_axes

    rows, cols = stack.shape
    left, top = stack.transform @ (0, 0)
    right, bottom = stack.transform @ (cols, rows)
    fig, ax = plt.subplots(figsize=(6.5, 5.2))
    im = ax.imshow(
        fit.suitability_, extent=(left, right, bottom, top), cmap="viridis", vmin=0, vmax=1
    )
    if presences is not None:
        ax.scatter(
            presences[0], presences[1], s=6, color="white", edgecolors="black", linewidths=0.3
        )
    fig.colorbar(im, ax=ax, label="relative suitability (cloglog)")
    map_axes(ax, metres=_in_metres(stack.crs), crs=str(stack.crs))
    ax.set_title(title or f"MaxEnt suitability; spatial CV AUC {fit.cv_auc_mean_:.3f}", fontsize=10)
    return _png(fig)
