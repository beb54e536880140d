"""Spherical geometry: the spherical convention, icospheres, fsaverage, triangle meshes, resampling."""
