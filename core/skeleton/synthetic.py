"""Procedural motions on the 17-joint skeleton, for the built-ins that need no data: a walk, a jump.

The skeleton (:data:`REST_OFFSETS`) has a typical adult's bone lengths (metres; close to the
Human3.6M subjects' means): thigh and shank 0.43 m, upper arm 0.28 m, forearm 0.25 m, pelvis to
thorax 0.48 m. World axes are those of the CMU BVH files: Y up, the figure faces +Z, its left is
+X, the floor at y = 0 with the ankles 0.07 m above it when standing.

Joint angles are smooth functions of time, turned into positions by
:func:`~core.skeleton.kinematics.forward_kinematics`:

- :func:`walk`: a gait cycle of 1.1 s at 1.3 m/s; hip flexion ±25°, knee flexion up to 60° in
  swing, arms swinging against the legs, a little pelvis yaw; the pelvis is lowered or raised
  each frame so that the lower ankle touches the floor height.
- :func:`jump`: a countermovement jump: stand, crouch (hips 55°, knees 95°, trunk leaning
  40°, arms back), push off (arms up), 0.4 s of ballistic flight (gravity 9.81 m/s²), land
  and recover.

These are for demonstration and offline tests, not for training models on real motion.
"""

from __future__ import annotations

import numpy as np

from nodescope.core.skeleton.joints import JOINT_NAMES, NUM_JOINTS, PARENTS
from nodescope.core.skeleton.kinematics import euler_rotation, forward_kinematics

#: Offset of each joint from its parent in the rest pose (arms hanging), metres.
REST_OFFSETS = np.array(
    [
        [0.0, 0.93, 0.0],  # pelvis (from the floor)
        [-0.11, -0.02, 0.0],  # right hip
        [0.0, -0.43, 0.0],  # right knee
        [0.0, -0.43, 0.0],  # right ankle
        [0.11, -0.02, 0.0],  # left hip
        [0.0, -0.43, 0.0],  # left knee
        [0.0, -0.43, 0.0],  # left ankle
        [0.0, 0.23, 0.0],  # spine
        [0.0, 0.25, 0.0],  # thorax
        [0.0, 0.11, 0.01],  # neck
        [0.0, 0.12, 0.02],  # head
        [0.16, -0.02, 0.0],  # left shoulder
        [0.0, -0.28, 0.0],  # left elbow
        [0.0, -0.25, 0.0],  # left wrist
        [-0.16, -0.02, 0.0],  # right shoulder
        [0.0, -0.28, 0.0],  # right elbow
        [0.0, -0.25, 0.0],  # right wrist
    ]
)
#: Height of a standing ankle joint above the floor, metres.
ANKLE_HEIGHT = 0.07
GRAVITY = 9.81
_J = {name: i for i, name in enumerate(JOINT_NAMES)}


def _pose(angles: dict[str, np.ndarray], frames: int) -> np.ndarray:
    """(F, 17, 3, 3) local rotations from per-joint (F, 3) angles (degrees about X, Y, Z; order ZXY)."""
    rot = np.broadcast_to(np.eye(3), (frames, NUM_JOINTS, 3, 3)).copy()
    for joint, xyz in angles.items():
        rot[:, _J[joint]] = euler_rotation(np.asarray(xyz)[:, [2, 0, 1]], "ZXY")
    return rot


def _xyz(
    x: np.ndarray | float = 0.0, y: np.ndarray | float = 0.0, z: np.ndarray | float = 0.0, n: int = 1
) -> np.ndarray:
    return np.stack(
        np.broadcast_arrays(*(np.broadcast_to(np.asarray(v, float), (n,)) for v in (x, y, z))), axis=1
    )


def _grounded(rotations: np.ndarray, root_xz: np.ndarray) -> np.ndarray:
    """(F, 17, 3) positions with the pelvis lifted so the lower ankle stands at :data:`ANKLE_HEIGHT`."""
    offsets = REST_OFFSETS.copy()
    offsets[0] = 0.0  # the pelvis is placed below
    pos, _ = forward_kinematics(np.array(PARENTS), offsets, rotations)
    lowest = pos[:, [_J["right ankle"], _J["left ankle"]], 1].min(1)
    lift = ANKLE_HEIGHT - lowest
    return pos + np.stack([root_xz[:, 0], lift, root_xz[:, 1]], axis=1)[:, None, :]


def walk(seconds: float = 2.2, fps: float = 30.0, *, speed: float = 1.3, cycle: float = 1.1) -> np.ndarray:
    """(F, 17, 3) a straight walk along +Z, in metres (see the module docstring).

    Args:
        seconds: duration; F = round(seconds * fps).
        fps: frames per second.
        speed: walking speed, m/s.
        cycle: seconds per gait cycle (two steps).
    """
    n = round(seconds * fps)
    t = np.arange(n) / fps
    phase = 2 * np.pi * t / cycle

    def leg(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        hip = 25 * np.sin(p)  # flexion (thigh forward) positive
        knee = 5 + 55 * np.clip(np.sin(p + 0.9), 0, None) ** 2  # swing: the knee bends
        return hip, knee

    r_hip, r_knee = leg(phase)
    l_hip, l_knee = leg(phase + np.pi)
    angles = {
        "pelvis": _xyz(y=5 * np.sin(phase), n=n),
        "right hip": _xyz(x=-r_hip, n=n),
        "right knee": _xyz(x=r_knee, n=n),
        "left hip": _xyz(x=-l_hip, n=n),
        "left knee": _xyz(x=l_knee, n=n),
        "spine": _xyz(x=-4, y=-7 * np.sin(phase), n=n),
        "left shoulder": _xyz(x=-18 * np.sin(phase), z=8, n=n),  # against the left leg
        "left elbow": _xyz(x=-(15 + 10 * np.clip(np.sin(phase), 0, None)), n=n),
        "right shoulder": _xyz(x=18 * np.sin(phase), z=-8, n=n),
        "right elbow": _xyz(x=-(15 + 10 * np.clip(-np.sin(phase), 0, None)), n=n),
    }
    root_xz = np.stack([np.zeros(n), speed * t], axis=1)
    return _grounded(_pose(angles, n), root_xz)


#: Key times (s) and joint angles (degrees) of :func:`jump`: stand, crouch, take-off, land, recover.
_JUMP_KEYS = {
    "time": [0.0, 0.25, 0.65, 0.85, 1.25, 1.45, 1.8, 2.0],
    "hip": [5, 5, 55, -5, 10, 45, 10, 5],
    "knee": [5, 5, 95, 0, 15, 70, 10, 5],
    "lean": [3, 3, 40, 0, 5, 30, 5, 3],
    "arm": [0, 0, -45, 150, 60, 20, 5, 0],  # shoulder flexion: arms back, then up
    "elbow": [10, 10, 20, 10, 20, 30, 15, 10],
}
_TAKEOFF, _LANDING = 0.85, 1.25


def jump(fps: float = 30.0) -> np.ndarray:
    """(F, 17, 3) a countermovement jump in place, 2 s, in metres (see the module docstring).

    Args:
        fps: frames per second; F = 2 s * fps + 1.
    """
    t = np.arange(round(_JUMP_KEYS["time"][-1] * fps) + 1) / fps
    n = len(t)

    def key(name: str) -> np.ndarray:
        return np.interp(t, _JUMP_KEYS["time"], _JUMP_KEYS[name])

    hip, knee, lean, arm, elbow = (key(k) for k in ("hip", "knee", "lean", "arm", "elbow"))
    angles = {
        "right hip": _xyz(x=-hip, n=n),
        "left hip": _xyz(x=-hip, n=n),
        "right knee": _xyz(x=knee, n=n),
        "left knee": _xyz(x=knee, n=n),
        "spine": _xyz(x=lean, n=n),
        "left shoulder": _xyz(x=-arm, z=6, n=n),
        "right shoulder": _xyz(x=-arm, z=-6, n=n),
        "left elbow": _xyz(x=-elbow, n=n),
        "right elbow": _xyz(x=-elbow, n=n),
    }
    pos = _grounded(_pose(angles, n), np.zeros((n, 2)))
    flight = (t > _TAKEOFF) & (t < _LANDING)
    y0 = np.interp(_TAKEOFF, t, pos[:, 0, 1])
    y1 = np.interp(_LANDING, t, pos[:, 0, 1])
    duration = _LANDING - _TAKEOFF
    v0 = (y1 - y0) / duration + GRAVITY * duration / 2
    s = t[flight] - _TAKEOFF
    ballistic = y0 + v0 * s - GRAVITY * s**2 / 2
    pos[flight, :, 1] += (ballistic - pos[flight, 0, 1])[:, None]
    return pos
