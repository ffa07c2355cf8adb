from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dongne.core.models import Document, TimeStampedModel
from dongne.core.regions import emd, sigungu

from .choices import ContactVisibility, MembershipStatus, MemberType, OrganisationKind, TagKind


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=TagKind.choices)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="network_tag_unique")]

    def __str__(self):
        return self.name


class Organisation(TimeStampedModel):
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices, db_index=True)
    name = models.CharField(_("name (Korean)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    business_number = models.CharField(
        _("business registration number"),
        max_length=12,
        null=True,
        blank=True,
        unique=True,
        help_text=_("사업자등록번호, 10 digits: 123-45-67890"),
    )
    corporate_number = models.CharField(
        _("corporate registration number"),
        max_length=14,
        null=True,
        blank=True,
        unique=True,
        help_text=_("법인등록번호, 13 digits: 110111-1234567"),
    )
    representative = models.CharField(_("representative"), max_length=100, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    sigungu_code = models.CharField(_("city/county (시군구)"), max_length=5, blank=True, db_index=True)
    emd_code = models.CharField(_("town/district (읍면동)"), max_length=7, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    industry_tags = models.ManyToManyField(
        Tag,
        verbose_name=_("industries"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": TagKind.INDUSTRY},
    )
    capability_tags = models.ManyToManyField(
        Tag,
        verbose_name=_("capabilities"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": TagKind.CAPABILITY},
    )
    description = models.TextField(_("description"), blank=True)
    products_services = models.TextField(_("products and services"), blank=True)
    homepage = models.URLField(_("homepage"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Shown in the public directory to visitors who are not logged in."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    @property
    def sigungu_name(self):
        return sigungu().get(self.sigungu_code, "")

    @property
    def emd_name(self):
        return emd().get(self.emd_code, ("", ""))[1]


class Product(TimeStampedModel):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="products"
    )
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)

    class Meta:
        verbose_name = _("product or service")
        verbose_name_plural = _("products and services")
        ordering = ["organisation", "name"]

    def __str__(self):
        return self.name


class Person(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    contact_visibility = models.CharField(
        _("contact details visible to"),
        max_length=10,
        choices=ContactVisibility.choices,
        default=ContactVisibility.MEMBERS,
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Affiliation(models.Model):
    """A person's role in an organisation. A representative may edit the organisation's profile."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="affiliations"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="affiliations"
    )
    title = models.CharField(_("job title"), max_length=100, blank=True)
    is_representative = models.BooleanField(_("representative"), default=False)

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        ordering = ["-is_representative", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "organisation"], name="network_affiliation_unique")
        ]

    def __str__(self):
        return f"{self.person} · {self.organisation}"


class Membership(TimeStampedModel):
    """조합원 membership of one organisation; status changes only through services."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="membership"
    )
    member_type = models.CharField(_("member type"), max_length=20, choices=MemberType.choices)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MembershipStatus.choices,
        default=MembershipStatus.APPLIED,
        db_index=True,
    )
    applied_on = models.DateField(_("applied on"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    decision_ref = models.CharField(
        _("decision reference"),
        max_length=200,
        blank=True,
        help_text=_("e.g. 2019년 제3차 이사회 제2호 의안"),
    )
    activated_on = models.DateField(_("active since"), null=True, blank=True)
    withdrawal_requested_on = models.DateField(_("withdrawal requested on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name"]

    def __str__(self):
        return f"{self.organisation} ({self.get_status_display()})"


class MembershipEvent(models.Model):
    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=MembershipStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=MembershipStatus.choices)
    on = models.DateField(_("date"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership history")
        ordering = ["on", "created_at", "id"]

    def __str__(self):
        return f"{self.membership}: {self.from_status} → {self.to_status}"


class Mou(TimeStampedModel):
    """업무협약 with a partner institution."""

    partner = models.ForeignKey(
        Organisation, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="mous"
    )
    title = models.CharField(_("title"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    scope = models.TextField(_("scope"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    expires_on = models.DateField(
        _("expires on"), null=True, blank=True, help_text=_("Leave empty for an MOU without an end date.")
    )
    is_public = models.BooleanField(_("public"), default=True)

    class Meta:
        verbose_name = _("MOU")
        verbose_name_plural = _("MOUs")
        ordering = ["-signed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("signed_on")),
                name="network_mou_expiry_after_signing",
            ),
        ]

    def __str__(self):
        return self.title


class MouDocument(Document):
    mou = models.ForeignKey(Mou, verbose_name=_("MOU"), on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to="mou/%Y/")

    class Meta:
        verbose_name = _("MOU document")
        verbose_name_plural = _("MOU documents")
        ordering = ["-uploaded_at"]


class MouActivity(models.Model):
    mou = models.ForeignKey(Mou, verbose_name=_("MOU"), on_delete=models.CASCADE, related_name="activities")
    on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("MOU follow-up activity")
        verbose_name_plural = _("MOU follow-up activities")
        ordering = ["-on", "-id"]

    def __str__(self):
        return self.title
