import { replyDecoderFuzz } from "../helpers/reply-fuzz.js";

replyDecoderFuzz(100);
