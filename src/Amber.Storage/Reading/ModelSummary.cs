using Amber.Core.Model;

namespace Amber.Storage.Reading;

/// <summary>A stored model reference and the number of generated nodes that name it.</summary>
public sealed record ModelSummary(string Id, ModelReference Model, long Turns);
