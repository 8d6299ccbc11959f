using Castio.Core.Users;

namespace Castio.Core.Auth;

/// <summary>The platform roles, in strict hierarchy: a higher value outranks a lower one.</summary>
public enum Role
{
    Guest = 1,
    Member = 2,
    Host = 3,
    Admin = 4,
    Owner = 5,
}

public static class Roles
{
    // Wire and storage names are the seed's lower-case role names.
    public static string ToWire(this Role role) => role switch
    {
        Role.Guest => "guest",
        Role.Member => "member",
        Role.Host => "host",
        Role.Admin => "admin",
        Role.Owner => "owner",
        _ => throw new ArgumentOutOfRangeException(nameof(role)),
    };

    public static bool TryParse(string? value, out Role role)
    {
        role = value switch
        {
            "guest" => Role.Guest,
            "member" => Role.Member,
            "host" => Role.Host,
            "admin" => Role.Admin,
            "owner" => Role.Owner,
            _ => 0,
        };
        return role != 0;
    }

    public static Role Parse(string value) =>
        TryParse(value, out var role) ? role : throw new FormatException("Unknown role.");

    /// <summary>Roles an org user account can hold; guests join by meeting link and are never stored users.</summary>
    public static readonly IReadOnlyList<Role> UserRoles = [Role.Owner, Role.Admin, Role.Host, Role.Member];
}

public static class UserRoleExtensions
{
    extension(UserEntity user)
    {
        /// <summary>The user's stored role as a <see cref="Role"/>.</summary>
        public Role RoleValue => Roles.Parse(user.Role);
    }
}
