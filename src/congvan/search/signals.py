"""The index follows the documents: a document or an incoming item saved, a distribution made (who may
find it changes), a file removed. Files added and OCR results reach the index through
congvan.archive.services.ingest_file. Signals keep this in one place instead of in every service."""

from django.db.models.signals import post_delete, post_save, pre_delete


def _document_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        from congvan.search import index

        index.update_documents([instance.pk])


def _document_deleted(sender, instance, **kwargs):
    from congvan.search import index

    index.delete_documents([instance.pk])


def _item_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        from congvan.search import index

        index.update_documents([instance.document_id])


def _distribution_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        from congvan.search import index
        from congvan.workflow.models import IncomingItem

        index.update_documents(IncomingItem.objects.filter(pk=instance.item_id).values_list("document_id", flat=True))


def _file_deleted(sender, instance, **kwargs):
    from congvan.search import index

    index.update_documents([instance.document_id])


def connect() -> None:
    from congvan.documents.models import Document, DocumentFile
    from congvan.workflow.models import Distribution, IncomingItem

    post_save.connect(_document_saved, sender=Document, dispatch_uid="search-document")
    pre_delete.connect(_document_deleted, sender=Document, dispatch_uid="search-document-delete")
    post_save.connect(_item_saved, sender=IncomingItem, dispatch_uid="search-item")
    post_save.connect(_distribution_saved, sender=Distribution, dispatch_uid="search-distribution")
    post_delete.connect(_file_deleted, sender=DocumentFile, dispatch_uid="search-file-delete")
