from django.db.models import QuerySet


def scoped_to_center(queryset: QuerySet, user, *, field: str = "center") -> QuerySet:
    """Only the rows of the signed-in user's own centre.

    Every list and detail view of centre data goes through this, usually from a
    QuerySet's `visible_to(user)`, and fetches detail objects from the result so that
    another centre's rows answer 404. `field` is the lookup path to the Center, e.g.
    "case__center". A user without a centre (or an anonymous one) sees nothing;
    superusers are not an exception: the region-wide back office is the admin.
    """
    if not user.is_authenticated or user.center_id is None:
        return queryset.none()
    return queryset.filter(**{field: user.center_id})
