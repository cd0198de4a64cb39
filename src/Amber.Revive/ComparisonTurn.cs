namespace Amber.Revive;

/// <summary>One user turn of a comparison: the original answer and the other model's.</summary>
public sealed record ComparisonTurn(string UserText, string OriginalNode, string OriginalAnswer, string? OriginalModel, string NewNode, string NewAnswer, string NewModel);
