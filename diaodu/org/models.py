"""Units (one tree), people and their accounts, roles with permission keys and data scope,
personal API tokens, and admin-editable dictionaries (字典)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop


class UnitKind(models.TextChoices):
    PROVINCE = "province", gettext_noop("省")
    CITY = "city", gettext_noop("市")
    DISTRICT = "district", gettext_noop("区/县")
    ZONE = "zone", gettext_noop("开发区")
    PARK = "park", gettext_noop("园区")
    DEPARTMENT = "department", gettext_noop("部门")
    OFFICE = "office", gettext_noop("科室/办公室")


class UnitQuerySet(models.QuerySet):
    def subtree(self, unit: Unit):
        """The unit and everything below it: one indexed prefix match on `path`."""
        return self.filter(path__startswith=unit.path)

    def subtrees(self, units):
        q = Q(pk__in=[])
        for unit in units:
            q |= Q(path__startswith=unit.path)
        return self.filter(q)

    def active(self):
        return self.filter(is_active=True)

    def visible_to(self, user):
        from diaodu.org import scope

        return scope.restrict_units(self, user)


class Unit(models.Model):
    """单位: a node in the one tree of district → zone → park / department → office.

    `path` is a materialised path of ids ("/1/4/9/"), kept by the services, so that "this
    unit and everything below" is a prefix match that both SQLite and PostgreSQL answer from an
    index (text_pattern_ops on PostgreSQL)."""

    code = models.CharField(gettext_noop("单位编码"), max_length=32, unique=True)
    name = models.CharField(gettext_noop("单位名称"), max_length=100)
    short_name = models.CharField(gettext_noop("简称"), max_length=40, blank=True)
    kind = models.CharField(gettext_noop("类型"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=gettext_noop("上级单位"),
    )
    path = models.CharField(max_length=255, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.IntegerField(gettext_noop("排序"), default=0)
    is_active = models.BooleanField(gettext_noop("启用"), default=True)
    region_code = models.CharField(gettext_noop("行政区划代码"), max_length=6, blank=True)
    # [[lat, lon], …] (WGS84), a closed ring: the outline the maps draw when no tile server is
    # configured (offline, 政务内网), and over the tiles when one is
    boundary = models.JSONField(gettext_noop("边界"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = verbose_name_plural = gettext_noop("单位")
        indexes = [
            models.Index(
                fields=["path"], name="org_unit_path_idx", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]


class User(AbstractUser):
    """人员与账号: one person, one account. Names are Chinese names in `name`."""

    name = models.CharField(gettext_noop("姓名"), max_length=50)
    phone = models.CharField(gettext_noop("手机号"), max_length=20, blank=True)
    id_number = models.CharField(gettext_noop("身份证号"), max_length=18, blank=True)
    must_change_password = models.BooleanField(gettext_noop("首次登录须改密"), default=True)
    failed_logins = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(gettext_noop("演示账号"), default=False)
    roles = models.ManyToManyField(
        "Role", blank=True, related_name="users", verbose_name=gettext_noop("角色")
    )

    objects = UserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = verbose_name_plural = gettext_noop("人员")

    def __str__(self):
        return self.name or self.username

    def get_full_name(self):
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id(self.id_number)


def mask_phone(phone: str) -> str:
    if not phone:
        return ""
    if len(phone) >= 7:
        return phone[:3] + "****" + phone[-4:]
    return "*" * len(phone)


def mask_id(number: str) -> str:
    if not number:
        return ""
    if len(number) >= 10:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    return "*" * len(number)


class Membership(models.Model):
    """A person's place in a unit (兼职: one person may belong to several units)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    position = models.CharField(gettext_noop("职务"), max_length=50, blank=True)
    is_primary = models.BooleanField(gettext_noop("主要单位"), default=False)

    class Meta:
        unique_together = [("user", "unit")]
        ordering = ["-is_primary", "id"]
        verbose_name = verbose_name_plural = gettext_noop("任职")

    def __str__(self):
        return f"{self.user} @ {self.unit} {self.position}"


class DataScope(models.IntegerChoices):
    ALL = 1, gettext_noop("全部数据")
    CUSTOM = 2, gettext_noop("自定数据")
    OWN_UNIT = 3, gettext_noop("本部门")
    OWN_SUBTREE = 4, gettext_noop("本部门及以下")
    SELF = 5, gettext_noop("仅本人")


class Role(models.Model):
    code = models.CharField(gettext_noop("角色编码"), max_length=40, unique=True)
    name = models.CharField(gettext_noop("角色名称"), max_length=50)
    description = models.CharField(gettext_noop("说明"), max_length=200, blank=True)
    permissions = models.JSONField(gettext_noop("权限"), default=list)
    data_scope = models.PositiveSmallIntegerField(
        gettext_noop("数据范围"), choices=DataScope.choices, default=DataScope.SELF
    )
    custom_units = models.ManyToManyField(
        Unit, blank=True, related_name="+", verbose_name=gettext_noop("自定单位")
    )
    is_builtin = models.BooleanField(gettext_noop("内置"), default=False)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = verbose_name_plural = gettext_noop("角色")

    def __str__(self):
        return self.name


class ApiToken(models.Model):
    """Personal API token. Only its SHA-256 is stored; the token is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(gettext_noop("用途"), max_length=60)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(gettext_noop("到期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = gettext_noop("API 令牌")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class PasswordHistory(models.Model):
    """The hashes of a person's recent passwords: a new password may not repeat the last five."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = verbose_name_plural = gettext_noop("历史密码")


class DictType(models.Model):
    """A code list (字典类型), e.g. industry, problem_type, project_level."""

    code = models.CharField(gettext_noop("字典编码"), max_length=40, unique=True)
    name = models.CharField(gettext_noop("字典名称"), max_length=60)
    description = models.CharField(gettext_noop("说明"), max_length=200, blank=True)
    is_builtin = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = verbose_name_plural = gettext_noop("数据字典")

    def __str__(self):
        return self.name


class DictItem(models.Model):
    dict_type = models.ForeignKey(DictType, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(gettext_noop("编码"), max_length=20)
    label = models.CharField(gettext_noop("名称"), max_length=100)
    parent_code = models.CharField(gettext_noop("上级编码"), max_length=20, blank=True)
    sort_order = models.IntegerField(gettext_noop("排序"), default=0)
    is_active = models.BooleanField(gettext_noop("启用"), default=True)

    class Meta:
        ordering = ["dict_type", "sort_order", "code"]
        unique_together = [("dict_type", "code")]
        verbose_name = verbose_name_plural = gettext_noop("字典项")

    def __str__(self):
        return f"{self.code} {self.label}"
