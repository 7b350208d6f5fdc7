from oauth2_provider.oauth2_validators import OAuth2Validator

# How each test person signed in at the provider (RFC 8176 method names).
AMR = {"alice": ["pwd", "otp", "mfa"]}


class Validator(OAuth2Validator):
    # Every claim in the ID token and at the userinfo endpoint, whatever the scope.
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "email": user.email,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "groups": sorted(user.groups.values_list("name", flat=True)),
            "amr": AMR.get(user.username, ["pwd"]),
        }
