namespace Amber.Core.Cost;

/// <summary>The list price of a model family: USD per million input and output tokens, and where it was published.</summary>
/// <param name="Model">The name prefix it prices (the longest matching prefix wins: <c>gpt-4o-mini</c> before <c>gpt-4o</c>).</param>
public sealed record ModelPrice(string Model, decimal InputUsdPerMillion, decimal OutputUsdPerMillion, string Source);
