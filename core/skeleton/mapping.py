"""From a BVH clip to the 17 Human3.6M joints: a joint-name table, units, the T-pose frame.

Each of the 17 joints (:data:`~core.skeleton.joints.JOINT_NAMES`) is the origin of one BVH
joint, found by :data:`NAME_TABLE`: the first candidate name the hierarchy has wins (names
compared without case, spaces, ``_``, ``-``, ``.``, a ``namespace:`` prefix such as
``mixamorig:``, or a 3ds Max ``Bip01`` prefix). The table covers

- the CMU BVH release in ``../shared/data/mocap`` (Bruce Hahne's DAZ-friendly conversion):
  ``hip, rThigh, rShin, rFoot, lThigh, lShin, lFoot, abdomen, chest, neck, head, lShldr,
  lForeArm, lHand, rShldr, rForeArm, rHand``;
- Mixamo, LAFAN1 and Hahne's MotionBuilder release of CMU: ``Hips, RightUpLeg, RightLeg,
  RightFoot, ..., Spine, Spine1/Spine2, Neck, Head, LeftArm, LeftForeArm, LeftHand``
  (their ``LeftShoulder`` is the collarbone, so it is *not* a candidate for the shoulder);
- SMPL-style (``Pelvis, R_Hip, R_Knee, R_Ankle, Spine1, Spine3, L_Shoulder, L_Elbow,
  L_Wrist``) and 3ds Max Biped (``Bip01 Pelvis, Bip01 R Thigh, R Calf, R Foot, R UpperArm``).

A hierarchy that lacks a joint is refused with the names of the missing joints.

Units: BVH files do not say theirs. :func:`guess_unit` picks the one (metre, centimetre,
millimetre, inch, or CMU's ASF unit of 1/0.45 inch) that makes the rest-pose leg (hip to knee
to ankle) closest to 0.85 m, a typical adult's. The CMU files here are centimetres.

The T-pose frame: converters such as Hahne's put a rest pose before the motion (frame 0 of
every file in ``../shared/data/mocap``). :func:`has_rest_frame` recognizes it as a frame 0
whose root rotation is exactly zero and whose joints jump more than :data:`REST_JUMP` metres
to frame 1 (real capture at 30-120 fps moves a joint a few centimetres per frame).
"""

from __future__ import annotations

import re

import numpy as np

from nodescope.core.errors import LoadError
from nodescope.core.skeleton.bvh import BvhMotion
from nodescope.core.skeleton.joints import JOINT_NAMES
from nodescope.core.skeleton.kinematics import bvh_positions

#: Candidate BVH joint names for each of the 17 joints, in order of preference (normalized:
#: lower case, no separators; see :func:`normalize_name`).
NAME_TABLE: dict[str, tuple[str, ...]] = {
    "pelvis": ("hip", "hips", "pelvis"),
    "right hip": ("rthigh", "rightupleg", "righthip", "rhip", "rightthigh", "rupleg"),
    "right knee": ("rshin", "rightleg", "rightknee", "rknee", "rightshin", "rcalf", "rleg"),
    "right ankle": ("rfoot", "rightfoot", "rightankle", "rankle"),
    "left hip": ("lthigh", "leftupleg", "lefthip", "lhip", "leftthigh", "lupleg"),
    "left knee": ("lshin", "leftleg", "leftknee", "lknee", "leftshin", "lcalf", "lleg"),
    "left ankle": ("lfoot", "leftfoot", "leftankle", "lankle"),
    "spine": ("abdomen", "spine", "spine1", "lowerback"),
    "thorax": ("chest", "thorax", "upperchest", "spine3", "spine2", "spine1"),
    "neck": ("neck", "neck1", "lowerneck"),
    "head": ("head",),
    "left shoulder": ("lshldr", "leftarm", "leftupperarm", "lshoulder", "lupperarm", "larm"),
    "left elbow": ("lforearm", "leftforearm", "leftelbow", "lelbow", "leftlowerarm", "llowerarm"),
    "left wrist": ("lhand", "lefthand", "leftwrist", "lwrist"),
    "right shoulder": ("rshldr", "rightarm", "rightupperarm", "rshoulder", "rupperarm", "rarm"),
    "right elbow": ("rforearm", "rightforearm", "rightelbow", "relbow", "rightlowerarm", "rlowerarm"),
    "right wrist": ("rhand", "righthand", "rightwrist", "rwrist"),
}
#: Candidate units: name and metres per file unit.
UNITS: dict[str, float] = {
    "m": 1.0,
    "cm": 0.01,
    "mm": 0.001,
    "inch": 0.0254,
    "CMU ASF unit (1/0.45 inch)": 0.0254 / 0.45,
}
#: A typical adult's leg, hip to knee to ankle, in metres (what :func:`guess_unit` aims at).
TYPICAL_LEG_M = 0.85
#: A frame-0 joint this far (metres) from frame 1 marks frame 0 as an added rest pose.
REST_JUMP = 0.1


def normalize_name(name: str) -> str:
    """``"mixamorig:LeftUpLeg"`` -> ``"leftupleg"``; ``"Bip01 R Thigh"`` -> ``"rthigh"``."""
    name = name.rsplit(":", 1)[-1].lower()
    name = re.sub(r"[\s_.\-]", "", name)
    return re.sub(r"^bip0*1", "", name)


def joint_map(names: tuple[str, ...] | list[str], file: str = "the BVH file") -> np.ndarray:
    """(17,) index into ``names`` of each of the 17 joints, by :data:`NAME_TABLE`.

    Args:
        names: the hierarchy's joint names.
        file: the name used in the error message.

    Raises:
        LoadError: the hierarchy lacks some joints; the message names them and the names tried.
    """
    index = {}
    for i, n in enumerate(names):
        index.setdefault(normalize_name(n), i)
    chosen: list[int] = []
    missing: list[str] = []
    for joint in JOINT_NAMES:
        hit = next((index[c] for c in NAME_TABLE[joint] if c in index and index[c] not in chosen), None)
        if hit is None:
            missing.append(f"{joint} ({'/'.join(NAME_TABLE[joint][:3])})")
        else:
            chosen.append(hit)
    if missing:
        raise LoadError(
            f"{file}: the hierarchy lacks joints for {len(missing)} of the 17 skeleton joints: "
            f"{', '.join(missing)}; rename them or see core/skeleton/mapping.py for the names read."
        )
    return np.array(chosen, dtype=np.int64)


def guess_unit(leg_length: float) -> tuple[str, float]:
    """The unit (name, metres per unit) that makes a leg of ``leg_length`` file units most adult-like.

    Example:
        >>> guess_unit(82.2)
        ('cm', 0.01)
    """
    name = min(UNITS, key=lambda u: abs(np.log(leg_length * UNITS[u] / TYPICAL_LEG_M)))
    return name, UNITS[name]


def has_rest_frame(clip: BvhMotion, positions_m: np.ndarray) -> bool:
    """Whether frame 0 is a rest pose a converter added (see the module docstring).

    Args:
        clip: the parsed file (for the root's rotation channels).
        positions_m: (F, J, 3) joint positions in metres.
    """
    if clip.num_frames < 2:
        return False
    root = clip.channel_slices()[0]
    rot = [k for k, c in enumerate(clip.channels[0]) if c.endswith("rotation")]
    if not rot or np.any(clip.motion[0, root][rot] != 0):
        return False
    jump = np.linalg.norm(
        positions_m[0] - positions_m[0, :1] - (positions_m[1] - positions_m[1, :1]), axis=-1
    )
    return bool(jump.max() > REST_JUMP)


def clip_joints(
    clip: BvhMotion,
    file: str = "the BVH file",
    *,
    unit: str | None = None,
    drop_rest: bool | None = None,
) -> tuple[np.ndarray, list[str]]:
    """The 17 joints of every frame of a BVH clip, in metres, in the file's world axes.

    Args:
        clip: the parsed file.
        file: the name used in messages.
        unit: a key of :data:`UNITS`, or None to guess it from the leg (:func:`guess_unit`).
        drop_rest: drop frame 0; None drops it when it is an added rest pose (:func:`has_rest_frame`).

    Returns:
        (F, 17, 3) float64 positions (BVH world axes: Y up for the files here) and the notices
        saying what was assumed or dropped.

    Raises:
        LoadError: the hierarchy lacks some of the 17 joints (:func:`joint_map`), or ``unit``
            is unknown.
    """
    index = joint_map(clip.names, file)
    notices: list[str] = []
    if unit is None:
        leg = [np.linalg.norm(clip.offsets[k]) for k in _leg_chain(clip, index)]
        unit, scale = guess_unit(float(np.sum(leg)))
        notices.append(f"Units read as {unit} (the rest-pose leg is {np.sum(leg) * scale:.2f} m).")
    elif unit in UNITS:
        scale = UNITS[unit]
    else:
        raise LoadError(f"Unknown unit '{unit}'; use one of {', '.join(UNITS)}.")
    joints = bvh_positions(clip)[:, index] * scale
    if drop_rest is None:
        drop_rest = has_rest_frame(clip, joints)
        if drop_rest:
            notices.append("Dropped frame 0: a rest pose (T-pose) the converter added before the motion.")
    if drop_rest:
        if clip.num_frames < 2:
            raise LoadError(f"{file} has one frame; dropping the rest pose would leave none.")
        joints = joints[1:]
    return joints, notices


def _leg_chain(clip: BvhMotion, index: np.ndarray) -> list[int]:
    """BVH joints from the left hip down to the left knee and ankle (their offsets make the leg)."""
    hip, ankle = int(index[JOINT_NAMES.index("left hip")]), int(index[JOINT_NAMES.index("left ankle")])
    chain = []
    j = ankle
    while j != hip and j >= 0:
        chain.append(j)
        j = int(clip.parents[j])
    return chain
