"""Perspective cameras of the 3-D scene: projection to the viewer's frame, and framing a set of points.

The viewer shows the scene in a frame of about :data:`VIEWER_SIZE` pixels: cameras are
fitted to it (:func:`fit_camera`), and what is sized in pixels (pins, label boards,
the works' tubes) is sized in pixels of that frame (:meth:`Camera.metres_per_pixel`).

>>> camera = Camera((0.0, -100.0, 0.0), (0.0, 0.0, 0.0))
>>> pixels, depth = camera.project(np.array([[0.0, 0.0, 0.0]]))
>>> pixels.tolist(), depth.tolist()
([[550.0, 310.0]], [100.0])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# The viewer shows the page in a frame of about VIEWER_SIZE (width, height) pixels: cameras,
# labels, pins and tubes are fitted to it. Screenshots of another size scale with their height.
VIEWER_SIZE = (1100, 620)
VIEW_ANGLE = 30.0  # vertical field of view, degrees: VTK's and vtk.js's default. trame-vtk does not export the
#                    view angle, so the cameras never zoom by narrowing it (vtk.js would show another framing).
OVERVIEW_FILL = 0.95  # share of the frame (its binding side) that the district spans in the overview


@dataclass(frozen=True)
class Camera:
    """A perspective camera (VTK's conventions: vertical ``view_angle`` in degrees, z up)."""

    position: tuple[float, float, float]
    focal_point: tuple[float, float, float]
    view_up: tuple[float, float, float] = (0.0, 0.0, 1.0)
    view_angle: float = VIEW_ANGLE

    @property
    def distance(self) -> float:
        return float(np.linalg.norm(np.subtract(self.focal_point, self.position)))

    @property
    def elevation(self) -> float:
        """Degrees below the horizon that the camera looks at its focal point."""
        forward = np.subtract(self.focal_point, self.position)
        return math.degrees(math.atan2(-forward[2], math.hypot(forward[0], forward[1])))

    def basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Unit vectors forward (into the scene), right and up on the screen."""
        forward = np.subtract(self.focal_point, self.position)
        forward = forward / np.linalg.norm(forward)
        right = np.cross(forward, self.view_up)
        right = right / np.linalg.norm(right)
        return forward, right, np.cross(right, forward)

    def project(self, points: np.ndarray, size: Sequence[float] = VIEWER_SIZE) -> tuple[np.ndarray, np.ndarray]:
        """Pixel coordinates (x right, y down, from the top-left corner) of ``points`` and their depths (m)."""
        forward, right, up = self.basis()
        relative = np.atleast_2d(points) - np.asarray(self.position)
        depth = relative @ forward
        tan_y = math.tan(math.radians(self.view_angle) / 2)
        width, height = size
        sx = relative @ right / (depth * tan_y * width / height)
        sy = relative @ up / (depth * tan_y)
        return np.column_stack([(sx + 1) / 2 * width, (1 - sy) / 2 * height]), depth

    def unproject(self, pixels: np.ndarray, depth: np.ndarray | float,
                  size: Sequence[float] = VIEWER_SIZE) -> np.ndarray:
        """World points at ``depth`` (m along the view) seen at ``pixels`` (as :meth:`project` gives them)."""
        forward, right, up = self.basis()
        pixels = np.atleast_2d(pixels)
        width, height = size
        tan_y = math.tan(math.radians(self.view_angle) / 2)
        sx = pixels[:, 0] / width * 2 - 1
        sy = 1 - pixels[:, 1] / height * 2
        depth = np.broadcast_to(np.asarray(depth, dtype="float64"), (len(pixels),))[:, None]
        return (np.asarray(self.position) + depth * (forward + sx[:, None] * tan_y * width / height * right
                                                      + sy[:, None] * tan_y * up))

    def metres_per_pixel(self, depth: np.ndarray | float, height: float = VIEWER_SIZE[1]) -> np.ndarray:
        """Size of a frame pixel at ``depth``, in metres (for a frame ``height`` pixels tall)."""
        return 2 * np.asarray(depth, dtype="float64") * math.tan(math.radians(self.view_angle) / 2) / height


def _direction(azimuth: float, elevation: float) -> np.ndarray:
    """Unit vector from a focal point towards a camera ``azimuth`` degrees west of south, ``elevation`` up."""
    a, e = math.radians(azimuth), math.radians(elevation)
    return np.array([math.sin(a) * math.cos(e), -math.cos(a) * math.cos(e), math.sin(e)])


def looking_at(focal: np.ndarray, azimuth: float, elevation: float, distance: float) -> Camera:
    """The camera ``distance`` m from ``focal``, ``azimuth`` degrees west of south and ``elevation`` up, facing it."""
    position = np.asarray(focal, dtype="float64") + distance * _direction(azimuth, elevation)
    return Camera(tuple(map(float, position)), tuple(map(float, focal)))  # type: ignore[arg-type]  # 3 floats


def fit_camera(points: np.ndarray, azimuth: float, elevation: float, *, size: Sequence[float] = VIEWER_SIZE,
               fill: float = OVERVIEW_FILL, view_angle: float = VIEW_ANGLE) -> Camera:
    """The camera looking from ``azimuth``/``elevation`` at ``points`` so that they span ``fill`` of the frame.

    The points' projections are centred in the frame and fill it along its binding side
    (width or height) to ``fill``; the framing is solved exactly for the perspective
    (bisection on the distance, then on the shift of the camera in its own plane).
    """
    points = np.asarray(points, dtype="float64")
    forward = -_direction(azimuth, elevation)
    right = np.cross(forward, (0.0, 0.0, 1.0))
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    centre = (points.min(axis=0) + points.max(axis=0)) / 2
    along = (points - centre) @ forward
    tan_y = math.tan(math.radians(view_angle) / 2)
    width, height = size
    axes = [((points - centre) @ right, tan_y * width / height), ((points - centre) @ up, tan_y)]

    def extent(distance: float) -> tuple[float, list[float]]:
        """Largest half-extent of the projections (1: the frame's edge) and the shifts that centre them."""
        depth = (along + distance)[:, None]
        half, shifts = 0.0, list[float]()
        for coordinate, tan in axes:
            # The projections' highest plus lowest value decreases with the shift: bracket its zero, 32 ways at once.
            low, high = float(coordinate.min()), float(coordinate.max())
            for _ in range(5):
                candidates = np.linspace(low, high, 33)
                screen = (coordinate[:, None] - candidates) / (depth * tan)
                balance = screen.max(axis=0) + screen.min(axis=0)
                after = int(np.clip(np.searchsorted(-balance, 0.0), 1, 32))
                low, high = float(candidates[after - 1]), float(candidates[after])
            shift = (low + high) / 2
            half = max(half, float(((coordinate - shift) / (depth[:, 0] * tan)).max()))
            shifts.append(shift)
        return half, shifts

    span = float(np.ptp(points, axis=0).max()) or 1.0
    # Far enough: the whole span within the fill at the nearest points' depth, whatever the aspect.
    near = float(-along.min()) + 1e-6 * span
    far = float(-along.min()) + span * (1 + 1 / (fill * tan_y * min(width / height, 1.0)))
    for _ in range(30):
        middle = (near + far) / 2
        near, far = (middle, far) if extent(middle)[0] > fill else (near, middle)
    distance = far
    shift_right, shift_up = extent(distance)[1]
    focal = centre + shift_right * right + shift_up * up
    position = focal - distance * forward
    return Camera(tuple(map(float, position)), tuple(map(float, focal)),  # type: ignore[arg-type]  # 3 floats
                  view_angle=view_angle)
