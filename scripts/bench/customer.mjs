// The benchmarks' customer, as orders carry it and the store emulator keeps it.
export const benchCustomer = (id) => ({
  id,
  email: `c${id}@example.com`,
  first_name: "B",
  last_name: "C",
  tags: "",
  created_at: "2026-01-01T00:00:00Z",
  phone: null,
});
