"""Pieces shared by the ecology estimators' maximum-likelihood fits."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from onca.errors import ParameterError

F64 = npt.NDArray[np.float64]


def hessian_from_gradient(
    grad: Callable[[F64], F64 | None], beta: F64, *, rel_step: float = 1e-5
) -> F64:
    """Hessian of the negative log-likelihood at ``beta``, by central differences of the
    log-likelihood's analytic gradient ``grad`` (step ``rel_step`` x max(|beta_j|, 1))."""
    k = beta.size
    out = np.empty((k, k))
    for j in range(k):
        step = rel_step * max(abs(float(beta[j])), 1.0)
        e = np.zeros(k)
        e[j] = step
        up, down = grad(beta + e), grad(beta - e)
        if up is None or down is None:
            raise ParameterError("the likelihood is not finite next to the estimate")
        out[:, j] = -(up - down) / (2 * step)
    return (out + out.T) / 2


def invert(hessian: F64) -> F64:
    """The covariance of the estimates: the inverse Hessian (pseudo-inverse when singular)."""
    try:
        return np.asarray(np.linalg.inv(hessian))
    except np.linalg.LinAlgError:
        return np.asarray(np.linalg.pinv(hessian))
