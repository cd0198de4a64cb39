namespace Amber.Storage.Reading;

/// <summary>Filters for listing conversations. Dates are RFC 3339 prefixes compared as text (e.g. 2024-05).</summary>
public sealed record ConversationFilter(string? Model = null, string? Source = null, int? Tier = null, string? From = null, string? To = null)
{
    /// <summary>Only this tenant's conversations (a scoped access token's tenant); null lists every tenant's.</summary>
    public string? Tenant { get; init; }
}
