"""Cortical surface registration: moving a subject's native sphere onto a fixed atlas sphere.

:mod:`core.registration.io` reads a subject (native sphere, sulc, optional curv, smoothed
white surface and parcellation) and writes a registered sphere (FreeSurfer or GIfTI). The
geometry it stands on lives in :mod:`core.geometry.fsaverage` (icosphere hierarchy) and
:mod:`core.geometry.resample` (barycentric resampling); the measures of a registration in
:mod:`explain.registration`.
"""

from nodescope.core.registration.io import Subject, read_sphere, read_subject, read_subject_dir, write_sphere

__all__ = ["Subject", "read_sphere", "read_subject", "read_subject_dir", "write_sphere"]
