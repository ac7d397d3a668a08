"""Figures shared read-only across reruns and sessions, serialized once."""
from __future__ import annotations

import json

import plotly.graph_objects as go


class PreparedFigure(go.Figure):
    """A figure whose plain form is computed once. st.plotly_chart calls to_dict() on every render, a deep copy
    whose arrays are then encoded again (~2 ms a chart); this returns the one plain dict, encoded the same way."""

    def __init__(self, figure: go.Figure):
        super().__init__(figure)
        self.__dict__["_plain"] = json.loads(figure.to_json())

    def to_dict(self) -> dict:
        plain = self.__dict__.get("_plain")
        return plain if plain is not None else super().to_dict()
