import { replyDecoderFuzz } from "../helpers/reply-fuzz.js";

// The fast form runs 100 cases a property; the soak twenty times as many.
replyDecoderFuzz(2000);
