namespace Castio.Core.Users;

/// <summary>Stable problem codes of user management.</summary>
public static class UserErrors
{
    public const string NotFound = "user.not_found";
    public const string EmailTaken = "user.email_taken";
    public const string RoleForbidden = "user.role_forbidden";
    public const string ChangeForbidden = "user.change_forbidden";
    public const string Concurrent = "user.concurrent_change";
}
