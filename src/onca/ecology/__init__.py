"""Ecology: how many of the trafficked species there are and where (density from camera traps
by spatial capture-recapture; occupancy and distribution to come)."""
