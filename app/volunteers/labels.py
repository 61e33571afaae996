from flask_babel import lazy_gettext as _l

ID_TYPE_LABELS = {
    "resident_id": _l("Resident ID card"),
    "passport": _l("Passport"),
    "hk_macau_permit": _l("Mainland travel permit (Hong Kong/Macao)"),
    "taiwan_permit": _l("Mainland travel permit (Taiwan)"),
    "other": _l("Other document"),
}
CHECK_RESULT_LABELS = {
    "clear": _l("No record found"),
    "record": _l("Record found"),
}
HOUR_STATUS_LABELS = {
    "pending": _l("Pending"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn by the volunteer"),
}
HOUR_FIELD_LABELS = {
    "work_date": _l("Date"),
    "starts_at": _l("Start"),
    "ends_at": _l("End"),
    "activity": _l("What was done"),
    "status": _l("Status"),
}
HOUR_SOURCE_LABELS = {
    "manual": _l("Entered by hand"),
    "shift": _l("From a shift"),
}
APPLICATION_STATUS_LABELS = {
    "applied": _l("Waiting for a decision"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
}
QUALIFICATION_STATE_LABELS = {
    "valid": _l("Valid"),
    "due_soon": _l("Due soon"),
    "expired": _l("Expired"),
    "missing": _l("Missing"),
}
