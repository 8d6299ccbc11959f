using Castio.Core.Abuse;
using Castio.Core.Auth;
using Castio.Core.Common;
using Castio.Core.Orgs;
using Castio.Functions.Auth;
using Castio.Functions.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Castio.Functions.Orgs;

/// <summary>Seed §2.2 org routes (settings, branding upload) and the anonymous branding reads of the white-label page.</summary>
public static class OrgApi
{
    public static RouteGroupBuilder MapOrgApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/org").WithTags("Organization")
            .RequireAuthorization()
            .RequireRateLimit(RateLimitRules.ApiGeneral, RateLimitKey.User);

        api.MapGet("/settings", GetSettings).WithName("GetOrgSettings").WithSummary("The organization's settings (any member)");
        api.MapPatch("/settings", UpdateSettings).WithName("UpdateOrgSettings").WithSummary("Change some settings; omitted fields stay as they are")
            .RequirePermission(Permission.ManageOrgSettings);
        api.MapPost("/branding", UploadBranding).WithName("UploadBranding").WithSummary("Upload a logo, favicon or background (multipart: kind, file)")
            .RequirePermission(Permission.ManageOrgSettings)
            .Accepts<BrandingUpload>("multipart/form-data");
        return api;
    }

    public static RouteGroupBuilder MapBrandingApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/branding").WithTags("Organization")
            .AllowAnonymous()
            .RequireRateLimit(RateLimitRules.ApiGeneral, RateLimitKey.ClientAddress);

        api.MapGet("/{orgSlug}", GetBranding).WithName("GetBranding").WithSummary("Public branding of an organization, for the page shown before sign-in");
        api.MapGet("/{orgSlug}/{kind}", GetBrandingFile).WithName("GetBrandingFile").WithSummary("One branding image (logo, favicon, background)");
        return api;
    }

    public static async Task<Results<Ok<OrgSettingsView>, ValidationProblem, ProblemHttpResult>> GetSettings(
        CurrentUser caller, OrgService orgs, HttpContext http, CancellationToken cancellationToken) =>
        (await orgs.GetSettingsAsync(caller.OrgId, cancellationToken)).ToResult(TypedResults.Ok, http);

    public static async Task<Results<Ok<OrgSettingsView>, ValidationProblem, ProblemHttpResult>> UpdateSettings(
        OrgSettingsPatch patch, CurrentUser caller, OrgService orgs, HttpContext http, CancellationToken cancellationToken) =>
        (await orgs.UpdateSettingsAsync(caller.OrgId, patch, cancellationToken)).ToResult(TypedResults.Ok, http);

    public static async Task<Results<Ok<BrandingAssetView>, ValidationProblem, ProblemHttpResult>> UploadBranding(
        HttpRequest request, CurrentUser caller, OrgService orgs, HttpContext http, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return Problems.Problem(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, "Unsupported media type", "Send multipart/form-data with fields kind and file.");
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            return Problems.BadRequest(ProblemCodes.BadRequest, "The multipart body could not be read.");
        }

        var file = form.Files.GetFile("file");
        if (file is null || file.Length > BrandingAsset.MaxUploadBytes)
        {
            var errors = new FieldErrors().Add("file", file is null ? "A file is required." : $"The file must be at most {BrandingAsset.MaxUploadBytes / 1024} KiB.");
            return Problems.Validation(errors.ToDictionary());
        }

        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, cancellationToken);
        return (await orgs.UploadBrandingAsync(caller.OrgId, form["kind"].ToString(), buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken))
            .ToResult(TypedResults.Ok, http);
    }

    public static async Task<Results<Ok<PublicBranding>, ValidationProblem, ProblemHttpResult>> GetBranding(
        string orgSlug, OrgService orgs, HttpContext http, CancellationToken cancellationToken) =>
        (await orgs.GetPublicBrandingAsync(orgSlug, cancellationToken)).ToResult(TypedResults.Ok, http);

    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetBrandingFile(
        string orgSlug, string kind, OrgService orgs, HttpContext http, CancellationToken cancellationToken)
    {
        var outcome = await orgs.GetBrandingFileAsync(orgSlug, kind, cancellationToken);
        if (outcome.Succeeded)
        {
            // The bytes were sniffed on upload; never let a browser second-guess the type or run anything.
            http.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
            http.Response.Headers[HeaderNames.ContentSecurityPolicy] = "default-src 'none'; sandbox";
            http.Response.Headers[HeaderNames.CacheControl] = "public, max-age=300";
        }

        return outcome.ToResult(f => TypedResults.File(f.Content.ToArray(), f.ContentType, entityTag: new EntityTagHeaderValue("\"" + f.Version + "\"")), http);
    }
}

/// <summary>The multipart form of a branding upload (documents the request in OpenAPI).</summary>
public sealed class BrandingUpload
{
    /// <summary>logo, favicon or background.</summary>
    public string? Kind { get; set; }

    public IFormFile? File { get; set; }
}
