"""The two search backends (sqlite, postgres) and what they share: the filter columns of ``search_entry`` and
the filter tokens that let the full-text index narrow to them (congvan.search.scope)."""

from congvan.search import scope

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


def filter_tokens(filters: dict) -> list[str]:
    """The tokens every match must carry for these filters (issuing agency, type); the columns are still
    checked by ``filter_sql``, so the tokens only let the engine skip what cannot match."""
    tokens = []
    if filters.get("agency_id"):
        tokens.append(f"ag{int(filters['agency_id'])}")
    if filters.get("doc_type"):
        tokens.append(scope.type_token(filters["doc_type"]))
    return tokens
