from django_otp.admin import OTPAdminSite


class BackOfficeSite(OTPAdminSite):
    """The back office (Django's admin) for staff who have passed the second factor.

    A password-only session counts as not staff here: the admin's login page then asks for
    the code as well (django-otp's OTP login form). Named "admin" so `admin:` URLs stay.
    """

    def __init__(self, name="admin"):
        super().__init__(name)
