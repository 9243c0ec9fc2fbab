"""The two search backends (sqlite, postgres) and what they share: the filter columns of ``search_entry``
(the tokens that let the full-text index narrow to them are in congvan.search.scope)."""

FILTERS = (("agency_id", "=", "agency_id"), ("doc_type", "=", "doc_type"), ("doc_date", ">=", "date_from"),
           ("doc_date", "<=", "date_to"), ("notation", "LIKE", "notation"), ("signer", "LIKE", "signer"))


def filter_sql(filters: dict, alias: str = "") -> tuple[str, list]:
    """`` AND …`` conditions on the entry's filter columns (substring matches for notation and signer)."""
    sql, params = [], []
    for column, op, key in FILTERS:
        value = filters.get(key)
        if value in (None, ""):
            continue
        if op == "LIKE":
            value = "%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            sql.append(f"{alias}{column} LIKE %s ESCAPE '\\'")
        else:
            sql.append(f"{alias}{column} {op} %s")
        params.append(value)
    return (" AND " + " AND ".join(sql)) if sql else "", params

