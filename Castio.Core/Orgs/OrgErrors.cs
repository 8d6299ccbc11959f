namespace Castio.Core.Orgs;

/// <summary>Stable problem codes of orgs, registration, settings and branding.</summary>
public static class OrgErrors
{
    public const string NotFound = "org.not_found";
    public const string SlugTaken = "org.slug_taken";
    public const string RtkUnavailable = "org.rtk_unavailable";
    public const string Concurrent = "org.concurrent_change";
    public const string BrandingNotFound = "org.branding_not_found";
}
