using Castio.Core.Common;

namespace Castio.Core.Auth;

/// <summary>Stable problem codes of sign-in; the host lists them in its ProblemCodes.</summary>
public static class AuthErrors
{
    public const string InvalidCredentials = "auth.invalid_credentials";
    public const string InvalidRefreshToken = "auth.invalid_refresh_token";
    public const string RefreshTokenReused = "auth.refresh_token_reused";
    public const string InvalidInvite = "auth.invalid_invite";
    public const string AccountThrottled = "auth.account_throttled";

    // One answer for every sign-in failure, so it never tells which part was wrong.
    public static readonly Error BadCredentials =
        new(ErrorKind.Unauthenticated, InvalidCredentials, "The e-mail, password or organization is not right.");

    public static readonly Error BadRefreshToken =
        new(ErrorKind.Unauthenticated, InvalidRefreshToken, "The refresh token is not valid. Sign in again.");
}
