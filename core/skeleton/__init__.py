"""Human skeletons: the 17-joint graph, BVH and forward kinematics, virtual cameras, lifting data.

- :mod:`~core.skeleton.joints`: the 17 Human3.6M joints, bones, the bone graph and its hops;
- :mod:`~core.skeleton.bvh`: parsing BVH files (any hierarchy and channel order);
- :mod:`~core.skeleton.kinematics`: forward kinematics in numpy, vectorized over frames;
- :mod:`~core.skeleton.mapping`: BVH joint names to the 17 joints, units, the added T-pose frame;
- :mod:`~core.skeleton.camera`: virtual pinhole cameras (OpenCV axes), projection and its inverse;
- :mod:`~core.skeleton.synthetic`: a procedural walk and jump;
- :mod:`~core.skeleton.dataset`: 2D-3D pairs from BVH clips through random cameras, split by subject;
- :mod:`~core.skeleton.scene`: what a lifter sees of a skeleton sample (2D, camera, 3D truth).
"""

from nodescope.core.skeleton.bvh import BvhMotion, parse_bvh
from nodescope.core.skeleton.camera import Camera, add_noise, back_project, project, random_camera
from nodescope.core.skeleton.dataset import (
    Clip,
    LiftingSet,
    build_lifting_set,
    clip_camera,
    load_clip,
    split_subjects,
    subject_split,
)
from nodescope.core.skeleton.joints import (
    BONES,
    JOINT_NAMES,
    NUM_JOINTS,
    PARENTS,
    bone_lengths,
    edge_index,
    hop_groups,
    hop_matrix,
    root_relative,
)
from nodescope.core.skeleton.kinematics import bvh_positions, forward_kinematics
from nodescope.core.skeleton.mapping import NAME_TABLE, clip_joints
from nodescope.core.skeleton.synthetic import jump, walk

__all__ = [
    "BONES",
    "JOINT_NAMES",
    "NAME_TABLE",
    "NUM_JOINTS",
    "PARENTS",
    "BvhMotion",
    "Camera",
    "Clip",
    "LiftingSet",
    "add_noise",
    "back_project",
    "bone_lengths",
    "build_lifting_set",
    "bvh_positions",
    "clip_camera",
    "clip_joints",
    "edge_index",
    "forward_kinematics",
    "hop_groups",
    "hop_matrix",
    "jump",
    "load_clip",
    "parse_bvh",
    "project",
    "random_camera",
    "root_relative",
    "split_subjects",
    "subject_split",
    "walk",
]
