import { httpHandler, ok, route } from '../shared/http';
import { decideReview, listPendingReviews } from './reviews';
import { decideReview as decideReviewSpec, listReviews } from './spec';

/** GET /reviews and POST /reviews/{reviewId}/decision (contract.md §2). */
export const handler = httpHandler([
  route(listReviews, async ({ query }) => ok(await listPendingReviews(query))),
  route(decideReviewSpec, async ({ params, body, caller }) =>
    ok(await decideReview(params.reviewId, body, caller)),
  ),
]);
