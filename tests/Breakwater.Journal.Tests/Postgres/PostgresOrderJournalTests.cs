using Breakwater.Journal.Tests.Infrastructure;

namespace Breakwater.Journal.Tests;

public sealed class PostgresOrderJournalTests : OrderJournalContractTests, IRequiresPostgres
{
    protected override async Task<IJournalTestStore> CreateStoreAsync() => await PostgresTestStore.CreateAsync();
}
