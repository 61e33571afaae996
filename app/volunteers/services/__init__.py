"""Writes for volunteers, one module per subject; services flush, never commit (the save path
commits once), take the acting user as ``by`` and raise FormError(field, message) for broken rules.

    identity      ID numbers stored protected, the age rules
    profiles      applications, accepting them, profiles, background checks
    trainings     training kinds and sessions
    hours         logging, reviewing and correcting hours
    certificates  issuer settings, issuing and voiding certificates
"""
from app.volunteers.services.certificates import (certificate_facts, issue_certificate, save_settings,  # noqa: F401
                                                  void_certificate)
from app.volunteers.services.hours import (change_own_entry, correct_entry, log_hours, review,  # noqa: F401
                                          withdraw_entry)
from app.volunteers.services.identity import (birth_date_from_resident_id, id_number_hash,  # noqa: F401
                                              id_number_hashes, mask_id, normalise_id)
from app.volunteers.services.profiles import (accept_application, create_profile, decline_application,  # noqa: F401
                                              new_invitation, record_check, submit_application, toggle_archived,
                                              update_profile)
from app.volunteers.services.trainings import (create_training_kind, record_training,  # noqa: F401
                                               toggle_kind_archived, update_training_kind)
