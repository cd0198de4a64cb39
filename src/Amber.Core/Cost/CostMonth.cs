namespace Amber.Core.Cost;

/// <summary>One month of a cost report: the inference spend priced and the storage cost of the month's bytes.</summary>
public sealed record CostMonth(string Month, decimal InferenceUsd, decimal StorageUsd);
