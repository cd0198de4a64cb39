namespace Amber.Fuzz.Tests;

/// <summary>The soak's collection: run after the parallel tests, with nothing beside it.</summary>
[CollectionDefinition(nameof(SoakAlone), DisableParallelization = true)]
public sealed class SoakAlone;
