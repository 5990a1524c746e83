/** Metadata shared by the data plugins MCollective 2.12 shipped in its core. */
export const CORE_METADATA = {
  name: "",
  description: "",
  author: "R.I.Pienaar <rip@devco.net>",
  license: "ASL 2.0",
  version: "1.0",
  url: "https://docs.puppetlabs.com/mcollective/",
  timeout: 1,
};
