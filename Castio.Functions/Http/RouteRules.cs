using Castio.Core.Auth;

namespace Castio.Functions.Http;

/// <summary>
/// Who may call an HTTP function, declared beside it (on the method, or on the class for every method).
/// Every HTTP function declares exactly one rule; <see cref="FunctionCatalog"/> refuses to start otherwise.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public abstract class AccessAttribute : Attribute
{
    /// <summary>Null: anyone. Empty: any signed-in user. Otherwise one of these roles.</summary>
    public abstract IReadOnlyList<Role>? Roles { get; }
}

/// <summary>No token needed.</summary>
public sealed class AnonymousAttribute : AccessAttribute
{
    public override IReadOnlyList<Role>? Roles => null;
}

/// <summary>Any signed-in user of the org.</summary>
public sealed class SignedInAttribute : AccessAttribute
{
    public override IReadOnlyList<Role>? Roles => [];
}

/// <summary>A signed-in user whose role the RBAC matrix allows for <see cref="Permission"/>.</summary>
public sealed class RequiresAttribute(Permission permission) : AccessAttribute
{
    public Permission Permission { get; } = permission;

    public override IReadOnlyList<Role>? Roles => Rbac.RolesFor(Permission);
}

public enum RateLimitKey
{
    /// <summary>Per client address (anonymous routes).</summary>
    ClientAddress,

    /// <summary>Per signed-in user; falls back to the address when there is none.</summary>
    User,
}

/// <summary>Counts each call against the named rule of <see cref="Castio.Core.Abuse.RateLimitRules"/>.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class RateLimitAttribute(string rule, RateLimitKey key) : Attribute
{
    /// <summary>A field name of <see cref="Castio.Core.Abuse.RateLimitRules"/>, e.g. <c>nameof(RateLimitRules.ApiGeneral)</c>.</summary>
    public string Rule { get; } = rule;

    public RateLimitKey Key { get; } = key;
}
