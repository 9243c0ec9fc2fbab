"""A package's fields as the JSON an operator compares with another vendor's (``congvan exchange unpack``)."""

from congvan.exchange import edxml


def _date(value) -> str | None:
    return value.strftime("%Y/%m/%d") if value else None


def package_fields(package) -> dict:
    if isinstance(package, edxml.StatusPacket):
        return {
            "kind": "status", "From": package.from_.organ_id, "StatusCode": package.status_code,
            "DocumentId": package.response_for.document_id, "Description": package.description,
            "Timestamp": package.timestamp.strftime("%Y/%m/%d %H:%M:%S") if package.timestamp else None,
            "Signed": package.signed,
        }
    return {
        "kind": "edoc", "From": package.from_.organ_id, "To": [o.organ_id for o in package.to],
        "DocumentId": package.document_id, "CodeNumber": package.code_number,
        "CodeNotation": package.code_notation, "Subject": package.subject, "TypeName": package.type_name,
        "PromulgationDate": _date(package.promulgation_date), "SteeringType": package.steering_type,
        "Priority": package.priority, "BussinessDocType": int(package.business.doc_type) if package.business else 0,
        "StatusCode": None, "Signed": package.signed,
        "attachments": [{"name": a.name, "size": a.size, "sha256": a.sha256, "zipped": a.was_zipped}
                        for a in package.attachments],
    }
