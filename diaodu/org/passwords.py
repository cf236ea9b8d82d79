"""Password rules of the authentication policy (等保2.0): at least 8 characters (Django's
MinimumLengthValidator), at least 3 of 4 character classes, and not the user name."""

from django.contrib.auth import password_validation as django_rules
from django.core.exceptions import ValidationError


class MinimumLengthValidator(django_rules.MinimumLengthValidator):
    """Django's rule with a Chinese message: Django 5.2 changed the message's text and its
    Chinese catalogue has no translation for the new one."""

    def get_error_message(self):
        return f"密码太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少 {self.min_length} 个字符。"


class CommonPasswordValidator(django_rules.CommonPasswordValidator):
    def get_error_message(self):
        return "密码过于常见，容易被猜中，请换一个。"

    def get_help_text(self):
        return "不能使用常见密码。"


class CharacterClassValidator:
    required = 3

    def validate(self, password, user=None):
        classes = sum(
            [
                any(c.islower() and c.isascii() for c in password),
                any(c.isupper() and c.isascii() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            ]
        )
        if classes < self.required:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、特殊字符中的至少 3 类。",
                code="password_classes",
            )

    def get_help_text(self):
        return "密码须包含大写字母、小写字母、数字、特殊字符中的至少 3 类。"


class NotUsernameValidator:
    def validate(self, password, user=None):
        if user is None:
            return
        username = (getattr(user, "username", "") or "").lower()
        if username and (
            password.lower() == username
            or password.lower() == username[::-1]
            or (len(username) >= 4 and username in password.lower())
        ):
            raise ValidationError(
                "密码不能与账号相同，也不能包含账号。", code="password_is_username"
            )

    def get_help_text(self):
        return "密码不能与账号相同，也不能包含账号。"
