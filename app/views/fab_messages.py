"""Texts that Flask-AppBuilder shows but its Chinese catalog leaves untranslated.

Listing them here puts them into our catalog (translations/), which Flask-Babel merges over FAB's.
Nothing imports this module; it exists for `make translations` and the translation tests.
"""

from flask_babel import lazy_gettext as _l

FAB_MESSAGES = (
    _l("Add"),
    _l("Edit"),
    _l("Show"),
    _l("Delete"),
    _l("Cancel"),
    _l("OK"),
    _l("Are you sure you want to delete this item?"),
    _l("Database Error"),
    _l("Edit User Information"),
    _l("User information changed"),
    _l("It's not a good policy to remove a user, just make it inactive"),
    _l("The user's password for authentication"),
    _l("Please rewrite the user's password to confirm"),
    _l("User(s) exists in the role, cannot delete"),
)
