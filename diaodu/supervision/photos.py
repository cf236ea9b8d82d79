"""Site photos: checked by content (not by name), EXIF time and GPS read, thumbnail made.

`inspect(upload)` returns a PhotoInfo or raises ValueError with a Chinese message naming the
file. Nothing is stored here; the services save the bytes."""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

from PIL import Image, ImageOps

from diaodu import uploads
from diaodu.uploads import size_text

MAX_PHOTOS = 12
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "MPO": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
THUMB_SIZE = (480, 480)
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, DATETIME, OFFSET_ORIGINAL = 36867, 306, 36881


@dataclass
class PhotoInfo:
    name: str
    data: bytes
    ext: str
    content_type: str
    width: int
    height: int
    taken_at: datetime | None  # naive local time unless the EXIF carried an offset (then aware)
    latitude: Decimal | None
    longitude: Decimal | None
    thumb: bytes


def _read(upload) -> bytes:
    if uploads.over_limit(upload):
        raise ValueError(
            f"照片“{upload.name}”过大（{size_text(upload.size)}），"
            f"单张不能超过 {uploads.limit_text()}。"
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    limit = uploads.max_bytes()
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValueError(
            f"照片“{getattr(upload, 'name', '')}”过大，单张不能超过 {uploads.limit_text()}。"
        )
    if not data:
        raise ValueError(f"照片“{getattr(upload, 'name', '')}”是空文件。")
    return data


def _ratio(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError, ZeroDivisionError):
        n, d = v
        return n / d


def _coord(values, ref) -> Decimal | None:
    try:
        d, m, s = (_ratio(x) for x in values)
    except Exception:
        return None
    value = d + m / 60 + s / 3600
    if isinstance(ref, bytes):
        ref = ref.decode(errors="ignore")
    if str(ref).strip().upper() in ("S", "W"):
        value = -value
    if not math.isfinite(value):
        return None
    return Decimal(f"{value:.6f}")


def _taken_at(exif) -> datetime | None:
    sub = exif.get_ifd(EXIF_IFD)
    raw = sub.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not raw:
        return None
    try:
        taken = datetime.strptime(str(raw).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = sub.get(OFFSET_ORIGINAL)
    if offset:
        try:
            sign = -1 if str(offset).startswith("-") else 1
            hh, mm = str(offset).lstrip("+-").split(":")[:2]
            taken = taken.replace(
                tzinfo=dt_timezone(sign * timedelta(hours=int(hh), minutes=int(mm)))
            )
        except (ValueError, TypeError):
            pass
    return taken


def inspect(upload) -> PhotoInfo:
    name = (getattr(upload, "name", "") or "照片")[-200:]
    data = _read(upload)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            fmt = img.format
            img.verify()
            img = Image.open(io.BytesIO(data))
            img.load()
    except Exception:
        raise ValueError(f"文件“{name}”不是有效的图片（请上传 JPG、PNG 或 WEBP 照片）。") from None
    if fmt not in FORMATS:
        raise ValueError(f"文件“{name}”的格式为 {fmt}，不受支持（请上传 JPG、PNG 或 WEBP 照片）。")
    ext, content_type = FORMATS[fmt]
    exif = img.getexif()
    taken = _taken_at(exif)
    gps = exif.get_ifd(GPS_IFD)
    lat = lon = None
    if gps.get(2) and gps.get(4):
        lat, lon = _coord(gps.get(2), gps.get(1, "N")), _coord(gps.get(4), gps.get(3, "E"))
        if (
            lat is None
            or lon is None
            or not (-90 <= lat <= 90 and -180 <= lon <= 180)
            or (lat == 0 and lon == 0)
        ):
            lat = lon = None
    thumb_img = ImageOps.exif_transpose(img)
    if thumb_img.mode not in ("RGB", "L"):
        thumb_img = thumb_img.convert("RGB")
    thumb_img.thumbnail(THUMB_SIZE)
    buf = io.BytesIO()
    thumb_img.save(buf, "JPEG", quality=80)
    return PhotoInfo(
        name=name,
        data=data,
        ext=ext,
        content_type=content_type,
        width=img.width,
        height=img.height,
        taken_at=taken,
        latitude=lat,
        longitude=lon,
        thumb=buf.getvalue(),
    )


def distance_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance (haversine), kilometres."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0088 * 2 * math.asin(min(1.0, math.sqrt(a)))


def make_jpeg(
    *,
    when: datetime | None = None,
    lat: float | None = None,
    lon: float | None = None,
    size=(800, 600),
    color=(90, 140, 200),
) -> bytes:
    """A JPEG with EXIF DateTimeOriginal and GPS, for tests and the demo."""
    img = Image.new("RGB", size, color)
    exif = Image.Exif()
    if when is not None:
        stamp = when.strftime("%Y:%m:%d %H:%M:%S")
        exif[DATETIME] = stamp
        exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = stamp

    def dms(value: float):
        value = abs(value)
        d = int(value)
        m = int((value - d) * 60)
        s = round(((value - d) * 60 - m) * 60, 4)
        return (float(d), float(m), float(s))

    if lat is not None and lon is not None:
        gps = exif.get_ifd(GPS_IFD)
        gps[1] = "N" if lat >= 0 else "S"
        gps[2] = dms(lat)
        gps[3] = "E" if lon >= 0 else "W"
        gps[4] = dms(lon)
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif, quality=85)
    return buf.getvalue()
