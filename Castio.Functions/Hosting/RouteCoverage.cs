using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Castio.Functions.Hosting;

/// <summary>
/// Answers "would the Functions host forward this ASP.NET Core endpoint?": an endpoint is covered when a sample
/// path built from its route pattern matches some HTTP function's route, for every method it serves.
/// </summary>
public static class RouteCoverage
{
    public static bool IsCovered(RoutePattern endpointPattern, IReadOnlyCollection<string>? endpointMethods, IEnumerable<HttpFunction> functions)
    {
        var path = SamplePath(endpointPattern);
        return functions.Any(f => Matches(RoutePatternFactory.Parse(f.Route), path) && CoversMethods(f, endpointMethods));
    }

    private static bool CoversMethods(HttpFunction function, IReadOnlyCollection<string>? methods)
    {
        if (function.Methods.Count == 0)
            return true;
        if (methods is null || methods.Count == 0)
            return false; // the endpoint answers every verb; the function only some
        return methods.All(m => function.Methods.Contains(m, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>A concrete path the pattern accepts, e.g. <c>api/meetings/{id}</c> → <c>["api","meetings","x"]</c>.</summary>
    internal static string[] SamplePath(RoutePattern pattern) =>
        [.. pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "x",
        })))];

    internal static bool Matches(RoutePattern functionRoute, string[] path)
    {
        var segments = functionRoute.PathSegments;
        for (var i = 0; i < segments.Count; i++)
        {
            var parts = segments[i].Parts;
            if (parts is [RoutePatternParameterPart { IsCatchAll: true }])
                return true; // matches the rest, including nothing
            if (i >= path.Length)
                return parts is [RoutePatternParameterPart { IsOptional: true }];
            if (!SegmentMatches(parts, path[i]))
                return false;
        }
        return segments.Count == path.Length;
    }

    private static bool SegmentMatches(IReadOnlyList<RoutePatternPart> parts, string value)
    {
        var regex = string.Concat(parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => Regex.Escape(literal.Content),
            RoutePatternSeparatorPart separator => Regex.Escape(separator.Content),
            _ => ".+?",
        }));
        return Regex.IsMatch(value, "^" + regex + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }
}
