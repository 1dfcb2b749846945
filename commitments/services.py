"""Operations of the staff side that touch several rows: saving a draft with its items, recording the
general meeting, posting progress with evidence. Each runs in one transaction and changes nothing
when it refuses; the rules themselves are the model methods'.
"""

from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageOps

from .forms import is_deleted
from .models import Evidence

PHOTO_MAX_SIDE = 2048  # photos are re-encoded: no camera metadata (location!) reaches the public board
THUMBNAIL_SIDE = 400
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


@transaction.atomic
def save_draft(actor, form, formset):
    """Save the commitment's title and every valid item row; rows with errors are left for the editor.

    "Save draft" keeps all the valid input: a half-filled item does not hold back the others. Returns
    ``(saved, pending)``: a map of the forms whose new items were created to their pks, and the forms
    not saved. Raises ``StaleEdit`` when someone else saved the commitment since the editor loaded it
    and ``TransitionError`` when it is no longer a draft; then nothing is saved.
    """
    commitment = form.instance
    commitment.ensure_editable()
    commitment = form.save(commit=False)
    commitment.updated_at = timezone.now()
    # The version check covers the items too: every save of the form moves the commitment's version on.
    commitment.save_checked(form.cleaned_data["version"], update_fields=["title", "updated_at"])
    saved, pending, order = {}, [], 0
    for item_form in formset.forms:
        valid = item_form.is_valid()
        if is_deleted(item_form):
            if item_form.instance.pk:
                item_form.instance.delete()
            continue
        if not item_form.instance.pk and not item_form.has_changed():
            continue  # an empty extra row
        order += 1
        if not valid:
            pending.append(item_form)
            continue
        item = item_form.save(commit=False)
        if item.pk and not item_form.has_changed() and item.order == order:
            continue
        creating = item.pk is None
        item.commitment, item.order = commitment, order
        item.save()
        if creating:
            saved[item_form] = item.pk
    return saved, pending


@transaction.atomic
def record_meeting(actor, commitment, form):
    """Record the general meeting of members (``form``: a bound, valid ``MeetingForm``) and attach it."""
    meeting = form.save(commit=False)
    meeting.recorded_by = actor
    meeting.save()
    commitment.attach_meeting(actor, meeting)
    return meeting


def post_progress(actor, item, text, progress, uploads):
    """A progress update of ``item`` with its evidence (``uploads``: checked by ``EvidenceField``)."""
    stored = []
    try:
        with transaction.atomic():
            update = item.post_progress(actor, text, progress)
            for upload in uploads:
                evidence = Evidence(
                    update=update, name=upload.name, content_type=upload.content_type, is_image=upload.is_image
                )
                content, thumbnail = (
                    _reencode(upload.upload, PILLOW_FORMATS[upload.content_type])
                    if upload.is_image
                    else (upload.upload, None)
                )
                evidence.size = content.size
                evidence.file.save(upload.name, content, save=False)
                stored.append(evidence.file)
                if thumbnail:
                    evidence.thumbnail.save("thumbnail.jpg", thumbnail, save=False)
                    stored.append(evidence.thumbnail)
                evidence.save()
    except Exception:
        for file in stored:
            file.storage.delete(file.name)
        raise
    return update


def _reencode(upload, image_format):
    """The photo turned upright, at most ``PHOTO_MAX_SIDE`` pixels, without its metadata; and a thumbnail."""
    upload.seek(0)
    with Image.open(upload) as original:
        original.draft("RGB", (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))  # a JPEG decodes at a reduced scale: less memory
        image = ImageOps.exif_transpose(original)
        image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
        if image_format == "JPEG" and image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        full = BytesIO()
        image.save(full, image_format, quality=85)
        small = image.copy()
        small.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        if small.mode != "RGB":
            background = Image.new("RGB", small.size, "white")
            background.paste(small, mask=small.convert("RGBA").getchannel("A"))
            small = background
        thumb = BytesIO()
        small.save(thumb, "JPEG", quality=80)
    return ContentFile(full.getvalue()), ContentFile(thumb.getvalue())
