"""The search index: one entry per document, kept by the app (congvan.search.index), read by the backend of
the database in use (SQLite FTS5 or PostgreSQL full text, see the migration)."""

from django.db import models

from congvan.directory.models import Agency
from congvan.documents.models import Document


class SearchEntry(models.Model):
    """What is searched of a document, in its original (accented, NFC) text.

    ``scope`` holds access tokens that say who may find the document (see congvan.search.scope): the
    query asks for the tokens of the acting person, so the index never returns what they could not open.
    The filter columns are folded where they are matched by substring (notation, signer)."""

    document = models.OneToOneField(Document, primary_key=True, on_delete=models.CASCADE,
                                    related_name="search_entry")
    subject = models.TextField()  # trích yếu: weighted highest
    meta = models.TextField(blank=True)  # số, ký hiệu, loại, cơ quan ban hành, người ký
    body = models.TextField(blank=True)  # nội dung tóm tắt and the text of the files (text layer, OCR, Word)
    scope = models.TextField(blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    doc_type = models.CharField(max_length=10, blank=True)
    doc_date = models.DateField(null=True, blank=True)
    notation = models.CharField(max_length=60, blank=True)  # folded
    signer = models.CharField(max_length=120, blank=True)  # folded

    class Meta:
        db_table = "search_entry"

    def __str__(self) -> str:
        return f"{self.document_id}: {self.subject[:60]}"
